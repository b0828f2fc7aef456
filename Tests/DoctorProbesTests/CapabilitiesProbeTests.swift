import DoctorCore
@testable import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

@Suite struct CapabilitiesProbeTests {
    @Test func fileCapabilitiesSetWithSetcap() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-caps")
        let binary = directory.path + "/pinger"
        try FileManager.default.copyItem(atPath: "/bin/true", toPath: binary)
        let plain = directory.path + "/plain"
        try FileManager.default.copyItem(atPath: "/bin/true", toPath: plain)
        let setcap = try ChildProcess(["/usr/sbin/setcap", "cap_net_bind_service,cap_net_raw+ep", binary])
        try #require(await setcap.wait() == 0)
        let getcap = try ChildProcess(["/usr/sbin/getcap", binary], stdout: directory.path + "/getcap")
        await getcap.wait()
        let reported = (directory.read("getcap") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let results = try await runChecks(
            fileCheck("granted", "{type: capabilities, path: \"\(binary)\"}", "{effective: [cap_net_bind_service, cap_net_raw], permitted: {contains: cap_net_raw}, inheritable: {empty: true}}")
                + fileCheck("default", "{type: capabilities, path: \"\(binary)\"}")
                + fileCheck("plain", "{type: capabilities, path: \"\(plain)\"}", "{permitted: {empty: true}, text: \"\"}")
                + fileCheck("missing", "{type: capabilities, path: \"\(directory.path)/nope\"}"))
        #expect(results.map(\.status) == [.pass, .fail, .pass, .fail])
        // libcap's text is what getcap prints after the path.
        let text = results[0].observed.first?.value("text")?.asString ?? ""
        #expect(reported == "\(binary) \(text)", "getcap: \(reported); probe: \(text)")
        #expect(results[3].message.contains("No such file or directory"))
    }
}
