import DoctorCore
import DoctorYAML
import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

@Suite struct EnvProbeTests {
    @Test func setEqualsAndMatches() async throws {
        let results = try await runChecks(
            fileCheck("set", "{type: env, name: DOCTOR_TEST_SESSION}")
                + fileCheck("equals", "{type: env, name: DOCTOR_TEST_SESSION}", "{value: wayland}")
                + fileCheck("wrong", "{type: env, name: DOCTOR_TEST_SESSION}", "{value: x11}")
                + fileCheck("unset", "{type: env, name: DOCTOR_TEST_UNSET_VARIABLE}")
                + fileCheck("unset-ok", "{type: env, name: DOCTOR_TEST_UNSET_VARIABLE}", "{set: false}")
                + fileCheck("matches", "{type: env, name: DOCTOR_TEST_SESSION}", "{value: {matches: \"^way\"}}"),
            variables: ["DOCTOR_TEST_SESSION": "wayland"])
        #expect(results.map(\.status) == [.pass, .pass, .fail, .fail, .pass, .pass])
        #expect(results[2].message == #"$DOCTOR_TEST_SESSION: value is "wayland", expected == "x11""#)
        #expect(results[3].message == "$DOCTOR_TEST_UNSET_VARIABLE is not set (expected set == true)")
    }
}
