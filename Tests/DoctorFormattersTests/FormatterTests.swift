import DoctorCore
import DoctorFormatters
import Foundation
import Testing

/// One canonical report with every status, shared by the formatter tests.
enum Canonical {
    static func check(_ id: String, _ category: String, remediation: String? = nil, title: String? = nil) -> Check {
        var values = CheckValues()
        values.id = id
        values.title = title ?? "title of \(id)"
        values.category = category
        values.severity = .high
        values.governance = [("stig", ["V-222642"]), ("pci-dss", ["3.6.1.2"])]
        values.probe = ProbeInvocation(type: "file", parameters: [], mark: SourceMark(line: 1, column: 1))
        values.remediation = remediation
        values.tags = ["t"]
        values.location = SourceLocation(file: "checks/x.yaml", mark: SourceMark(line: 3, column: 3))
        return Check(values)
    }

    static func result(_ check: Check, _ status: CheckStatus, _ message: String?, observed: [ObservedSubject] = []) -> CheckResult {
        CheckResult(check: check, status: status, message: message, observed: observed, startedAt: 1_795_000_000.25, finishedAt: 1_795_000_000.5, duration: .milliseconds(250))
    }

    static var report: RunReport {
        let mode = ObservedValue(name: "mode", value: .int(0o644), type: .fileMode)
        let owner = ObservedValue(name: "owner", value: .principal(id: 0, name: "root"), type: .principal)
        let results = [
            result(check("cfg-pass", "configuration"), .pass, "mode 0600"),
            result(check("ipc-fail", "ipc-connectivity", remediation: "chmod 0600 \"$XDG_RUNTIME_DIR/pds/bus.sock\"\nthen restart"), .fail,
                   "/run/x: mode is 0644, expected == 0600", observed: [ObservedSubject(subject: "/run/x", values: [mode, owner], problem: "mode is 0644")]),
            result(check("cfg-warn", "configuration", remediation: "look"), .warn, "latency is 300ms (warn if > 250ms)"),
            result(check("cfg-error", "configuration"), .error, "timed out after 2s"),
            CheckResult(check: check("cfg-skip", "configuration"), status: .skip, message: "not a graphical session"),
            result(check("weird", "configuration", title: "quotes \" backslash \\ tab \t newline \n bell \u{7} é ✓"), .pass, "ctl \u{1} end"),
        ]
        return RunReport(
            toolVersion: "9.9.9", catalogDigest: String(repeating: "ab", count: 32), host: "host-1",
            startedAt: 1_795_000_000, finishedAt: 1_795_000_001.5, selection: Selection(governance: ["stig"]), results: results)
    }
}

@Suite struct TextFormatterTests {
    @Test func groupsByCategoryWithMarksRemediationAndSummary() {
        let text = TextFormatter(options: FormatOptions()).format(Canonical.report)
        // Categories in the design's order: IPC connectivity comes before Configuration.
        let ipc = text.range(of: "IPC connectivity\n")
        let configuration = text.range(of: "Configuration\n")
        #expect(ipc != nil && configuration != nil && ipc!.lowerBound < configuration!.lowerBound)
        #expect(text.contains("  ✘ ipc-fail   title of ipc-fail\n      /run/x: mode is 0644, expected == 0600\n      fix: chmod 0600 \"$XDG_RUNTIME_DIR/pds/bus.sock\"\n           then restart\n"))
        #expect(text.contains("  ⚠ cfg-warn   title of cfg-warn\n      latency is 300ms (warn if > 250ms)\n      fix: look\n"))
        #expect(text.contains("  ! cfg-error  title of cfg-error\n      timed out after 2s\n"))
        #expect(text.contains("  ↷ cfg-skip   title of cfg-skip\n      skipped: not a graphical session\n"))
        #expect(!text.contains("mode 0600"), "pass messages only with --verbose")
        #expect(text.hasSuffix("6 checks: 2 passed, 1 warning, 1 failed, 1 error, 1 skipped in 1.5s — exit 2\n"))
        #expect(!text.contains("\u{1B}["))
    }

    @Test func verboseAddsEvidenceAndDurations() {
        let text = TextFormatter(options: FormatOptions(verbose: true)).format(Canonical.report)
        #expect(text.contains("  ✔ cfg-pass   title of cfg-pass  (250ms)\n      mode 0600\n"))
        #expect(text.contains("      observed /run/x: mode=0644 owner=root (0)\n"))
    }

    @Test func colourOnlyWhenAsked() {
        let text = TextFormatter(options: FormatOptions(color: true)).format(Canonical.report)
        #expect(text.contains("\u{1B}[31m✘\u{1B}[0m ipc-fail"))
        #expect(text.contains("\u{1B}[32m✔\u{1B}[0m cfg-pass"))
    }

    @Test func streamsInPiecesThatAddUpToTheWhole() {
        let formatter = TextFormatter(options: FormatOptions())
        var pieces: [String] = []
        formatter.write(Canonical.report) { pieces.append($0) }
        #expect(pieces.joined() == formatter.format(Canonical.report))
    }
}

@Suite struct JSONFormatterTests {
    func parse(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func reportFieldsAndTypedEvidence() throws {
        let json = try parse(JSONFormatter(options: FormatOptions()).format(Canonical.report))
        #expect(json["schema_version"] as? Int == 1)
        #expect((json["tool"] as? [String: String]) == ["name": "doctor", "version": "9.9.9"])
        #expect(json["started_at"] as? String == "2026-11-18T11:06:40.000Z")
        #expect(json["finished_at"] as? String == "2026-11-18T11:06:41.500Z")
        #expect(json["exit_code"] as? Int == 2)
        #expect((json["selection"] as? [String: Any])?["governance"] as? [String] == ["stig"])
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(checks.map { $0["status"] as? String } == ["pass", "fail", "warn", "error", "skip", "pass"])
        let failed = checks[1]
        #expect((failed["governance"] as? [String: [String]]) == ["stig": ["V-222642"], "pci-dss": ["3.6.1.2"]])
        #expect(failed["source"] as? String == "checks/x.yaml:3:3")
        let values = try #require(((failed["observed"] as? [[String: Any]])?.first)?["values"] as? [String: Any])
        #expect(values["mode"] as? String == "0644", "modes are octal strings")
        #expect((values["owner"] as? [String: Any])?["name"] as? String == "root")
        #expect(checks[4]["started_at"] is NSNull, "a skip that never started has no start time")
    }

    @Test func stringsAreEscapedSoAnyParserReadsThemBack() throws {
        let json = try parse(JSONFormatter(options: FormatOptions()).format(Canonical.report))
        let weird = try #require((json["checks"] as? [[String: Any]])?.last)
        #expect(weird["title"] as? String == "quotes \" backslash \\ tab \t newline \n bell \u{7} é ✓")
        #expect(weird["message"] as? String == "ctl \u{1} end")
    }

    @Test func largeReportsStreamInBoundedPieces() {
        var results: [CheckResult] = []
        for index in 0..<3000 { results.append(Canonical.result(Canonical.check("c\(index)", "configuration"), .pass, "ok")) }
        let report = RunReport(toolVersion: "1", catalogDigest: "", host: "h", startedAt: 0, finishedAt: 1, selection: Selection(), results: results)
        var pieces: [String] = []
        JSONFormatter(options: FormatOptions()).write(report) { pieces.append($0) }
        #expect(pieces.count > 10)
        #expect(pieces.dropLast().allSatisfy { $0.utf8.count < (64 << 10) + 8192 })
    }
}

/// Formatters find performance data through what the probe's spec declared (carried by the result), never by
/// the probe's name: a probe of another name that declares it is exported, an `exec` result without it is not.
@Suite struct PerformanceDataTests {
    static func result(probe: String, _ performanceData: PerformanceData?) -> CheckResult {
        var fields = CheckValues()
        fields.id = "plugin"
        fields.title = "plugin"
        fields.category = "configuration"
        fields.severity = .low
        fields.probe = ProbeInvocation(type: probe, parameters: [], mark: SourceMark(line: 1, column: 1))
        fields.location = SourceLocation(file: "checks/x.yaml", mark: SourceMark(line: 1, column: 3))
        let check = Check(fields)
        let values = [
            ObservedValue(name: "metric.load", value: .double(0.5), type: nil), ObservedValue(name: "metric.load/unit", value: .string("s"), type: nil),
            ObservedValue(name: "perf.load", value: .int(7), type: nil),
        ]
        return CheckResult(check: check, status: .pass, message: nil, observed: [ObservedSubject(subject: nil, values: values)], performanceData: performanceData)
    }

    @Test func thePointsAreWhatTheSpecDeclares() {
        let points = PerfData.points(Self.result(probe: "sensor", PerformanceData(prefix: "metric.", unitSuffix: "/unit")))
        #expect(points.map(\.label) == ["load"])
        #expect(points.map(\.unit) == ["s"])
        #expect(points.map(\.value) == [0.5])
        #expect(PerfData.points(Self.result(probe: "exec", nil)).isEmpty)
        let prometheus = PrometheusFormatter(options: FormatOptions()).format(RunReport(
            toolVersion: "9.9.9", catalogDigest: "ab", host: "h", startedAt: 0, finishedAt: 1, selection: Selection(),
            results: [Self.result(probe: "sensor", PerformanceData(prefix: "metric.", unitSuffix: "/unit"))]))
        #expect(prometheus.contains("label=\"load\",unit=\"s\"} 0.5\n"), "\(prometheus)")
    }
}
