import DoctorTestSupport
import Foundation
import Testing

/// Several outputs in one run, on the built binary.
@Suite struct SinkTests {
    let catalog = EndToEndTests.pass + EndToEndTests.warn + EndToEndTests.fail + EndToEndTests.skip

    @Test func textOnStandardOutputAndFilesForTheRest() throws {
        let scratch = Scratch()
        scratch.write("checks.yaml", catalog)
        let prom = scratch.path + "/out/doctor.prom", junit = scratch.path + "/out/junit.xml", json = scratch.path + "/out/report.json"
        try FileManager.default.createDirectory(atPath: scratch.path + "/out", withIntermediateDirectories: true)
        let result = try doctor(
            ["run", "--catalog", scratch.path, "--format", "text", "--format", "prometheus=\(prom)", "--format", "junit=\(junit)", "--format", "json=\(json)"],
            environment: ["DOCTOR_E2E": "w"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stdout.contains("4 checks: 1 passed, 1 warning, 1 failed, 0 errors, 1 skipped"), "\(result.stdout)")
        let metrics = try String(contentsOfFile: prom, encoding: .utf8)
        #expect(metrics.contains("pds_doctor_check{name=\"fails\",category=\"configuration\"} 1"))
        #expect(try run(try tool("promtool"), ["check", "metrics"], stdin: metrics).status == 0)
        #expect(try run(try tool("xmllint"), ["--noout", "--schema", repoRoot + "/../shared/vectors/junit.xsd", junit]).status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        #expect((report?["summary"] as? [String: Any])?["fail"] as? Int == 1)
        // Atomic writes leave no temporary files behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/out").sorted() == ["doctor.prom", "junit.xml", "report.json"])
    }

    @Test func ambiguousOrBadSinksAreUsageErrors() throws {
        let scratch = Scratch()
        scratch.write("checks.yaml", EndToEndTests.pass)
        let both = try doctor(["run", "--catalog", scratch.path, "--format", "text", "--format", "json"])
        #expect(both.status == 64)
        #expect(both.stderr.contains("text, json would all write to standard output"), "\(both.stderr)")
        let output = try doctor(["run", "--catalog", scratch.path, "--format", "text", "--format", "json", "--output", scratch.path + "/x"])
        #expect(output.status == 64)
        #expect(output.stderr.contains("--output names one file, but 2 formats have no destination"), "\(output.stderr)")
        let empty = try doctor(["run", "--catalog", scratch.path, "--format", "prometheus="])
        #expect(empty.status == 64)
        let same = try doctor(["run", "--catalog", scratch.path, "--format", "json=\(scratch.path)/a", "--format", "junit=\(scratch.path)/a"])
        #expect(same.status == 64)
        #expect(same.stderr.contains("two formats write to the same file"))
        let prefix = try doctor(["run", "--catalog", scratch.path, "--metric-prefix", "9x"])
        #expect(prefix.status == 64)
        // The single-format forms keep working.
        #expect(try doctor(["run", "--catalog", scratch.path, "--format", "json"]).stdout.hasPrefix("{"))
        #expect(try doctor(["run", "--catalog", scratch.path, "--format", "prometheus", "--output", scratch.path + "/m.prom"]).status == 0)
    }

    @Test func aSinkThatCannotBeWrittenLeavesTheOthersWhole() throws {
        let scratch = Scratch()
        scratch.write("checks.yaml", EndToEndTests.pass)
        let prom = scratch.path + "/doctor.prom"
        let result = try doctor(["run", "--catalog", scratch.path, "--format", "junit=/nonexistent/dir/junit.xml", "--format", "prometheus=\(prom)", "--format", "text"])
        #expect(result.status == 73, "\(result.stderr)")
        #expect(result.stderr.contains("/nonexistent/dir/junit.xml"), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: prom))
        #expect(result.stdout.contains("1 check: 1 passed"))
    }
}
