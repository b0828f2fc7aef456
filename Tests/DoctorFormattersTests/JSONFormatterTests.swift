import DoctorCore
import DoctorFormatters
import Foundation
import Testing

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
