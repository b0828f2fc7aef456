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

