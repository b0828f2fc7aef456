import DoctorCore
import DoctorYAML
import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

/// The same scenario against a real systemd booted in systemd-nspawn by `.ci/run` (environment.md §4), read
/// from the host over the container's system bus. `DOCTOR_SYSTEMD_ADDRESS` names that bus; without it the tier
/// is skipped here, and `.ci/run` refuses to pass when it did not run.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["DOCTOR_SYSTEMD_ADDRESS"] != nil, "real systemd tier: set DOCTOR_SYSTEMD_ADDRESS (.ci/run boots systemd in nspawn)"))
struct SystemdRealManagerTests {
    @Test func theRealManagerMeetsTheSameExpectations() async throws {
        let address = ProcessInfo.processInfo.environment["DOCTOR_SYSTEMD_ADDRESS"] ?? ""
        let results = try await runChecks(SystemdScenario.catalog(address: address))
        SystemdScenario.verify(results, against: "systemd in nspawn")
        if let marker = ProcessInfo.processInfo.environment["DOCTOR_SYSTEMD_RAN_MARKER"] {
            _ = FileManager.default.createFile(atPath: marker, contents: Data("ran\n".utf8))
        }
    }
}
