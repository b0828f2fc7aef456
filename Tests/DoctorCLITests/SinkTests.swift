import DoctorTestSupport
import Foundation
import Testing

/// Several outputs in one run, on the built binary.
@Suite struct SinkTests {
    let catalog = EndToEndTests.pass + EndToEndTests.warn + EndToEndTests.fail + EndToEndTests.skip

    @Test func textOnStandardOutputAndFilesForTheRest() throws {
        let scratch = TemporaryDirectory()
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
        let schema = try ReferenceData.require(ReferenceData.junitSchema, from: "the pytest source archive on PyPI")
        #expect(try run(try tool("xmllint"), ["--noout", "--schema", schema, junit]).status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        #expect((report?["summary"] as? [String: Any])?["fail"] as? Int == 1)
        // Atomic writes leave no temporary files behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/out").sorted() == ["doctor.prom", "junit.xml", "report.json"])
    }

    /// A destination that is not a regular file is written in place: renaming a temporary file over it would
    /// turn a device or a pipe into a regular file (it once replaced /dev/null on a benchmark machine). A symlink
    /// stays a symlink and the file it names gets the report.
    @Test func devicesPipesAndSymlinksSurviveBeingWritten() throws {
        let scratch = TemporaryDirectory()
        scratch.write("checks.yaml", EndToEndTests.pass)
        func kind(_ path: String) -> mode_t {
            var st = stat()
            return lstat(path, &st) == 0 ? st.st_mode & S_IFMT : 0
        }
        // /dev/null through a symlink, so that a regression replaces our link and never the machine's /dev/null.
        let null = scratch.path + "/null"
        try FileManager.default.createSymbolicLink(atPath: null, withDestinationPath: "/dev/null")
        let toNull = try doctor(["run", "--catalog", scratch.path + "/checks.yaml", "--format", "json=\(null)"])
        #expect(toNull.status == 0, "\(toNull.stderr)")
        #expect(kind(null) == S_IFLNK && kind("/dev/null") == S_IFCHR)
        // A FIFO with a reader on the other end gets the whole report, and is still a FIFO.
        let fifo = scratch.path + "/report.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = try ChildProcess(["/bin/sh", "-c", "cat \"$0\" > \"$0.out\"", fifo])
        let toFIFO = try doctor(["run", "--catalog", scratch.path + "/checks.yaml", "--format", "json=\(fifo)"])
        #expect(toFIFO.status == 0, "\(toFIFO.stderr)")
        #expect(reader.wait() == 0)
        #expect(kind(fifo) == S_IFIFO)
        let received = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fifo + ".out"))) as? [String: Any]
        #expect((received?["summary"] as? [String: Any])?["pass"] as? Int == 1)
        // A symlink to a regular file: the link stays, its target is replaced with the report.
        scratch.write("reports/latest.json", "old")
        let link = scratch.path + "/latest.json"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: scratch.path + "/reports/latest.json")
        _ = try doctor(["run", "--catalog", scratch.path + "/checks.yaml", "--format", "json=\(link)"])
        #expect(kind(link) == S_IFLNK)
        #expect(try String(contentsOfFile: scratch.path + "/reports/latest.json", encoding: .utf8).hasPrefix("{"))
        // A directory is refused (exit 73, cannot write), never replaced.
        let directory = try doctor(["run", "--catalog", scratch.path + "/checks.yaml", "--format", "json=\(scratch.path)/reports"])
        #expect(directory.status == 73 && directory.stderr.contains("is a directory"), "\(directory.status) \(directory.stderr)")
        #expect(kind(scratch.path + "/reports") == S_IFDIR)
    }

    @Test func ambiguousOrBadSinksAreUsageErrors() throws {
        let scratch = TemporaryDirectory()
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
        // One --metric-prefix, one rule, for run and serve alike (serve used to allow colons).
        for command in [["run"], ["serve", "--no-socket", "--listen", "127.0.0.1:0"]] {
            for bad in ["9x", "a:b", "a-b"] {
                let prefix = try doctor(command + ["--catalog", scratch.path, "--metric-prefix", bad])
                #expect(prefix.status == 64, "\(command) \(bad)")
                #expect(prefix.stderr.contains("--metric-prefix must be a metric name prefix such as pds ([A-Za-z_][A-Za-z0-9_]*), got '\(bad)'"), "\(prefix.stderr)")
            }
        }
        // The single-format forms keep working.
        #expect(try doctor(["run", "--catalog", scratch.path, "--format", "json"]).stdout.hasPrefix("{"))
        #expect(try doctor(["run", "--catalog", scratch.path, "--format", "prometheus", "--output", scratch.path + "/m.prom"]).status == 0)
    }

    @Test func aSinkThatCannotBeWrittenLeavesTheOthersWhole() throws {
        let scratch = TemporaryDirectory()
        scratch.write("checks.yaml", EndToEndTests.pass)
        let prom = scratch.path + "/doctor.prom"
        let result = try doctor(["run", "--catalog", scratch.path, "--format", "junit=/nonexistent/dir/junit.xml", "--format", "prometheus=\(prom)", "--format", "text"])
        #expect(result.status == 73, "\(result.stderr)")
        #expect(result.stderr.contains("/nonexistent/dir/junit.xml"), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: prom))
        #expect(result.stdout.contains("1 check: 1 passed"))
    }
}
