import DoctorTestSupport
import Foundation
import Testing

/// The example extension package (Examples/doctor-extension, built by scripts/test as a separate package):
/// its probe and format sit next to the built-ins in its own doctor.
@Suite struct ExtensionPackageTests {
    static let example = repoRoot + "/Examples/doctor-extension"

    func myDoctor() throws -> String {
        let path = ExtensionPackageTests.example + "/.build/debug/my-doctor"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ToolMissing(message: "the example is not built: swift build --package-path Examples/doctor-extension (scripts/test does it)")
        }
        return path
    }

    @Test func theExtensionsProbeAndFormatWorkNextToTheBuiltIns() throws {
        let binary = try myDoctor()
        // The probe is described like a built-in one: in `probes` and in the JSON Schema.
        let probes = try run(binary, ["probes"])
        #expect(probes.status == 0 && probes.stdout.contains("loadavg") && probes.stdout.contains("exec"), "\(probes.stdout)")
        let schema = try run(binary, ["schema"])
        #expect(schema.stdout.contains("\"loadavg\""))
        #expect(!(try doctor(["schema"]).stdout.contains("\"loadavg\"")), "the stock doctor does not know it")

        // Its checks validate, and run with the extension's format.
        let scratch = TemporaryDirectory(prefix: "doctor-extension")
        let loadavg = scratch.write("loadavg", "0.50 0.75 1.25 3/200 4242\n")
        let checks = ExtensionPackageTests.example + "/checks"
        let validate = try run(binary, ["validate", checks, "--var", "EXAMPLE_LOADAVG=\(loadavg)"])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        let csv = try run(binary, ["run", "--catalog", checks, "--var", "EXAMPLE_LOADAVG=\(loadavg)", "--format", "csv"])
        #expect(csv.status == 0, "\(csv.stdout)\(csv.stderr)")
        let rows = csv.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows.first == "id,category,severity,status,duration_ms,message")
        #expect(rows.dropFirst().map { $0.split(separator: ",").prefix(4).joined(separator: ",") } == [
            "host-load,platform-integration,low,pass", "host-load-fixture,platform-integration,info,pass", "host-home,configuration,info,pass",
        ], "\(rows)")
        // A wrong value fails with the probe's own observation in the message.
        let wrong = scratch.write("wrong", "9.00 0.75 1.25 3/200 4242\n")
        let failed = try run(binary, ["run", "--catalog", checks, "--var", "EXAMPLE_LOADAVG=\(wrong)", "--check", "host-load-fixture", "--format", "csv"])
        #expect(failed.status == 2 && failed.stdout.contains("load1"), "\(failed.stdout)")
        // Unknown parameters of the extension's probe are caught at load, with the position.
        scratch.write("bad/bad.yaml", "- id: bad\n  title: bad\n  category: configuration\n  severity: low\n  probe: {type: loadavg, per_core: true}\n")
        let bad = try run(binary, ["validate", scratch.path + "/bad"])
        #expect(bad.status == 65 && bad.stderr.contains("bad.yaml:5:") && bad.stderr.contains("per_core"), "\(bad.stderr)")
    }
}
