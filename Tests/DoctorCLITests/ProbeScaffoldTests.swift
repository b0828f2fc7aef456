import DoctorCLI
import DoctorTestSupport
import Foundation
import Testing

/// `doctor-dev new-probe`: the files it writes into a copy of the repository's layout, the registry line in
/// sorted place, and what it refuses. (That the written probe builds, passes its test and generates its pages
/// was checked by scaffolding one in this repository, building and testing it; see docs/extending.md.)
@Suite struct ProbeScaffoldTests {
    func layout() throws -> TemporaryDirectory {
        let root = TemporaryDirectory(prefix: "doctor-scaffold")
        try FileManager.default.createDirectory(atPath: root.path + "/Sources/DoctorProbes", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root.path + "/Tests/DoctorProbesTests", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: repoRoot + "/Sources/DoctorProbes/BuiltInProbes.swift", toPath: root.path + "/Sources/DoctorProbes/BuiltInProbes.swift")
        return root
    }

    @Test func itWritesTheProbeItsTestAndItsRegistryLine() throws {
        let root = try layout()
        let tool = repoRoot + "/.build/debug/doctor-dev"
        let result = try run(tool, ["new-probe", "ntp-sync", "--root", root.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("swift run doctor-dev generate"))
        let probe = try #require(root.read("Sources/DoctorProbes/NtpSync/NtpSyncProbe.swift"))
        #expect(probe.contains("public struct NtpSyncProbe: BoundedProbe {") && probe.contains("type: \"ntp-sync\""))
        let test = try #require(root.read("Tests/DoctorProbesTests/NtpSyncProbeTests.swift"))
        #expect(test.contains("@Suite struct NtpSyncProbeTests"))
        let registry = try #require(root.read("Sources/DoctorProbes/BuiltInProbes.swift"))
        let lines = registry.split(separator: "\n").filter { $0.hasSuffix("Probe.self,") }.map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains("NtpSyncProbe.self,"))
        #expect(lines == lines.sorted(), "\(lines)")

        // Twice is refused, as are names that are not lowercase words joined by '-'.
        let again = try run(tool, ["new-probe", "ntp-sync", "--root", root.path])
        #expect(again.status == 64 && again.stderr.contains("exists already"), "\(again.stderr)")
        for bad in ["NtpSync", "ntp_sync", "-ntp", "ntp--sync", "9ntp"] {
            let refused = try run(tool, ["new-probe", bad, "--root", root.path])
            #expect(refused.status == 64 && refused.stderr.contains("is not a probe type name"), "\(bad): \(refused.stderr)")
        }
        #expect(ProbeScaffold.typeName("x509-cert") == "X509Cert")
        #expect(ProbeScaffold.typeName("unix-socket-2") == nil)
    }
}
