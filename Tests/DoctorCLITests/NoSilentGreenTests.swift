import DoctorTestSupport
import Foundation
import Testing

/// The ways to a wrong or silent verdict that a new admin found (issue 18), each on the built binary: values
/// of different kinds, thresholds with units, clocks that cannot exist, selections that select nothing, checks
/// that examined nothing, brace globs, `--skip` against `requires`, probe rules only the probe knew, literal
/// user names, and governance that is always there.
@Suite struct NoSilentGreenTests {
    /// The running kernel's `kernel.pid_max`, read here the way the kernel probe reads it.
    func pidMax() throws -> String {
        try String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func kernelCheck(_ id: String, _ expect: String) -> String {
        "- id: \(id)\n  title: \(id)\n  category: configuration\n  severity: low\n  probe: {type: kernel, sysctl: kernel.pid_max}\n  expect: {value: \(expect)}\n"
    }

    func statuses(_ stdout: String) throws -> [String: (status: String, message: String, subjects: Int)] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
        var out: [String: (String, String, Int)] = [:]
        for check in document["checks"] as? [[String: Any]] ?? [] {
            out[check["id"] as? String ?? ""] = (check["status"] as? String ?? "", check["message"] as? String ?? "", check["subjects"] as? Int ?? -1)
        }
        return out
    }

    @Test func aStringNeverComparesWithANumberAndEvidenceQuotesStrings() throws {
        let value = try pidMax()
        let scratch = TemporaryDirectory()
        scratch.write("checks/k.yaml", kernelCheck("quoted-eq", "{eq: \"\(value)\"}") + kernelCheck("quoted-ne", "{ne: \"2\"}")
            + kernelCheck("plain-eq", "{eq: \(value)}") + kernelCheck("plain-ne", "{ne: 2}") + kernelCheck("quoted-in", "[\"\(value)\", \"1\"]"))
        scratch.write("data.json", #"{"version": "2", "count": 7, "names": ["a", "b"]}"#)
        scratch.write("checks/j.yaml", """
            - id: json-kinds
              title: json-kinds
              category: configuration
              severity: low
              probe: {type: json, path: "\(scratch.path)/data.json", select: [version, count, names]}
              expect: {version: {eq: 2}}
            - id: json-text
              title: json-text
              category: configuration
              severity: low
              probe: {type: json, path: "\(scratch.path)/data.json", select: [version, names]}
              expect: {version: "3", names: {contains: "c"}}

            """)
        let result = try doctor(["run", "--catalog", scratch.path + "/checks", "--format", "json"])
        let checks = try statuses(result.stdout)
        // Before: `eq: "N"` failed with "value is N, expected == N" and `ne: "2"` passed silently.
        #expect(checks["quoted-eq"]?.status == "error")
        #expect(checks["quoted-eq"]?.message == "compared a number with a string: value is \(value), expected == \"\(value)\" (write \(value) unquoted to compare numbers)")
        #expect(checks["quoted-ne"]?.status == "error")
        #expect(checks["quoted-in"]?.status == "error")
        #expect(checks["plain-eq"]?.status == "pass")
        #expect(checks["plain-ne"]?.status == "pass")
        #expect(checks["json-kinds"]?.status == "error")
        #expect(checks["json-kinds"]?.message.contains("compared a string with a number: version is \"2\", expected == 2") == true, "\(checks["json-kinds"]?.message ?? "")")
        // Strings are quoted in every evidence message, observed and expected, in lists too.
        #expect(checks["json-text"]?.status == "fail")
        #expect(checks["json-text"]?.message.contains(#"version is "2", expected == "3""#) == true, "\(checks["json-text"]?.message ?? "")")
        #expect(checks["json-text"]?.message.contains(#"names is ["a", "b"], expected containing "c""#) == true, "\(checks["json-text"]?.message ?? "")")
        #expect(result.status == 2)
    }

    /// The example of docs/plugins.md, as written there, against Debian's real `check_disk`: its threshold is
    /// a number in the plugin's unit (bytes), and it compares (the old `{gt: 1G}` never did).
    @Test func thePluginsPageExampleComparesWithRealPerformanceData() throws {
        let page = try String(contentsOfFile: repoRoot + "/docs/plugins.md", encoding: .utf8)
        let start = try #require(page.range(of: "```yaml\n"))
        let end = try #require(page.range(of: "```", range: start.upperBound..<page.endIndex))
        let scratch = TemporaryDirectory()
        scratch.write("checks/disk.yaml", String(page[start.upperBound..<end.lowerBound]))
        let result = try doctor(["run", "--catalog", scratch.path + "/checks", "--allow-exec", "--format", "json"])
        let check = try #require(try statuses(result.stdout)["host-root-disk"])
        #expect(check.status == "pass" || check.status == "warn", "\(check)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let entry = try #require((document["checks"] as? [[String: Any]])?.first)
        let values = ((entry["observed"] as? [[String: Any]])?.first?["values"] as? [String: Any]) ?? [:]
        #expect((values["perf./"] as? Int ?? 0) > 0, "\(values)")
        #expect(values["perf./.unit"] as? String == "B", "\(values)")
    }

    @Test func selectorsThatSelectNothingAreUsageErrors() throws {
        let scratch = TemporaryDirectory()
        scratch.write("checks/c.yaml", envCheck("home-set", "HOME", extra: "tags: [basics]") + envCheck("path-set", "PATH", extra: "governance: {soc2: [CC6.1]}"))
        let catalog = scratch.path + "/checks"
        let cases: [([String], String)] = [
            (["--check", "home-sett"], "--check 'home-sett' matches no check in the catalog (did you mean 'home-set'?)"),
            (["--check", "nothing-*"], "--check 'nothing-*' matches no check in the catalog"),
            (["--skip", "path-sett"], "--skip 'path-sett' matches no check in the catalog (did you mean 'path-set'?)"),
            (["--tag", "basic"], "no check carries the tag 'basic' (did you mean 'basics'?)"),
            (["--category", "vault-integrity"], "the category 'vault-integrity' has no checks in this catalog"),
            (["--governance", "pci"], "no check in the catalog cites a pci-dss control"),
            (["--governance", "hipaa"], "unknown framework 'hipaa'"),
            (["--tag", "basics", "--governance", "soc2"], "the selection matches no check"),
            (["--severity", "critical"], "the selection matches no check"),
        ]
        for (arguments, message) in cases {
            for command in ["run", "list"] {
                let result = try doctor([command, "--catalog", catalog] + arguments)
                #expect(result.status == 64, "\(command) \(arguments): \(result.status) \(result.stdout)")
                #expect(result.stderr.contains(message), "\(command) \(arguments): \(result.stderr)")
            }
        }
        // Aliases select their framework; a selection that selects is as before.
        #expect(try doctor(["run", "--catalog", catalog, "--governance", "tsc"]).status == 0)
        #expect(try doctor(["run", "--catalog", catalog, "--check", "home-*", "--tag", "basics"]).status == 0)
    }

    @Test func aCheckThatExaminedNothingIsASkipThatSaysSo() throws {
        let scratch = TemporaryDirectory()
        scratch.write("etc/shadow-", "")
        scratch.write("etc/gshadow-", "")
        scratch.write("etc/passwd-", "")
        scratch.write("checks/c.yaml", """
            - id: none-there
              title: none-there
              category: configuration
              severity: low
              probe: {type: file, glob: "\(scratch.path)/etc/*.absent", min_matches: 0}
              expect: {type: file}
            - id: braces
              title: braces
              category: configuration
              severity: low
              probe: {type: file, glob: "\(scratch.path)/etc/{shadow,gshadow,{group,nothing}}-"}
              expect: {type: file}

            """)
        let json = try doctor(["run", "--catalog", scratch.path + "/checks", "--format", "json"])
        let checks = try statuses(json.stdout)
        #expect(checks["none-there"]?.status == "skip")
        #expect(checks["none-there"]?.message == "nothing to examine: no path matches '\(scratch.path)/etc/*.absent' (0 subjects)")
        #expect(checks["none-there"]?.subjects == 0)
        // Brace alternatives each expand (nested too); before, the pattern matched nothing.
        #expect(checks["braces"]?.status == "pass")
        #expect(checks["braces"]?.subjects == 2, "\(json.stdout)")
        let text = try doctor(["run", "--catalog", scratch.path + "/checks"])
        #expect(text.stdout.contains("  ↷ none-there  none-there\n      skipped: nothing to examine: no path matches '\(scratch.path)/etc/*.absent' (0 subjects)\n"), "\(text.stdout)")
    }

    @Test func aSkippedCheckThatAnotherRequiresSaysWhyItRan() throws {
        let scratch = TemporaryDirectory()
        scratch.write("checks/c.yaml", envCheck("base", "HOME") + envCheck("dependant", "PATH", extra: "requires: base"))
        let result = try doctor(["run", "--catalog", scratch.path + "/checks", "--skip", "base"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("  ✔ base       base\n      ran although --skip named it: dependant requires it\n"), "\(result.stdout)")
    }

    @Test func aLiteralNameThisHostDoesNotKnowIsAWarning() throws {
        let scratch = TemporaryDirectory()
        scratch.write("checks/c.yaml", """
            - id: owner-typo
              title: owner-typo
              category: configuration
              severity: low
              probe: {type: file, path: /etc/passwd}
              expect: {owner: rooot, group: root}

            """)
        let result = try doctor(["validate", scratch.path + "/checks"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("c.yaml:6:19: warning: [owner-typo] no user 'rooot' on this host; owner will not match it here (did you mean 'root'?)"), "\(result.stderr)")
        #expect(!result.stderr.contains("group 'root'"))
    }

    @Test func durationsNoClockCanHoldAreUsageErrorsOnTheCommandLine() throws {
        let scratch = TemporaryDirectory()
        scratch.write("checks/c.yaml", envCheck("home-set", "HOME"))
        for arguments in [["--timeout", "infinity"], ["--deadline", "infinity"], ["--timeout", "99999999999999h"]] {
            let result = try doctor(["run", "--catalog", scratch.path + "/checks"] + arguments)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
        }
        let otlp = try doctor(["run", "--catalog", scratch.path + "/checks", "--format", "otlp=http://127.0.0.1:9/v1/metrics", "--otlp-timeout", "infinity"])
        #expect(otlp.status == 64, "\(otlp.stderr)")
    }

    /// Without any governance directory, control IDs are still checked: the frameworks are built in, whole.
    @Test func controlIDsAreAlwaysCheckedAgainstTheCompleteBuiltInFrameworks() throws {
        let scratch = TemporaryDirectory()
        scratch.write("checks/c.yaml", envCheck("a", "HOME", extra: #"governance: {stig: [V-999999], pci-dss: ["99.9", "4.2.1"], soc2: [CC99.9, PI1.5], nist: [AC-3]}"#))
        let environment: [String: String?] = ["DOCTOR_GOVERNANCE": nil]
        let result = try doctor(["validate", scratch.path + "/checks"], environment: environment)
        #expect(result.status == 65)
        let lines = result.stderr.split(separator: "\n")
        // Each error points at the control ID itself.
        #expect(lines.contains { $0.hasSuffix("c.yaml:6:23: error: [a] unknown stig control 'V-999999' in governance (DISA STIG / SRG ASD STIG V6R1 + GPOS SRG V3R2 + RHEL 9 STIG V2R9 + Ubuntu 22.04 STIG V2R8) (`doctor governance show stig` lists its 1117 controls)") }, "\(result.stderr)")
        #expect(lines.contains { $0.contains("c.yaml:6:44: error: [a] unknown pci-dss control '99.9'") }, "\(result.stderr)")
        #expect(lines.contains { $0.contains("c.yaml:6:69: error: [a] unknown soc2 control 'CC99.9'") }, "\(result.stderr)")
        #expect(lines.filter { $0.contains("error:") }.count == 3, "\(result.stderr)")

        // Real IDs the old lists lacked, from every part of each framework.
        scratch.write("checks/c.yaml", envCheck("a", "HOME", extra: #"governance: {pci-dss: ["4.2.1", "6.3.3", "1.2.1", "8.2.2", "A3.1.1", "12"], soc2: [CC1.1, P8.1, PI1.5, C1.2], stig: [V-203657, V-258000], nist-800-53: [AC-2(1), SC-28, PM-1]}"#))
        let real = try doctor(["validate", scratch.path + "/checks"], environment: environment)
        #expect(real.status == 0, "\(real.stderr)")

        let list = try doctor(["governance", "list", "--catalog", scratch.path + "/checks"], environment: environment)
        #expect(list.status == 0, "\(list.stderr)")
        for line in ["PCI DSS 4.0.1, PCI SSC: 366 controls", "TSC 2017 (points of focus revised 2022), AICPA: 61 controls", ": 1117 controls", "NIST SP 800-53 5.0.1, NIST: 1027 controls"] {
            #expect(list.stdout.contains(line), "\(line): \(list.stdout)")
        }
        #expect(list.stdout.contains("from: <built-in governance/pci-dss.yaml>"), "\(list.stdout)")

        // A governance directory that is not there is a mistake, not "no governance".
        let missing = try doctor(["validate", scratch.path + "/checks"], environment: ["DOCTOR_GOVERNANCE": scratch.path + "/no-such-dir"])
        #expect(missing.status == 65)
        #expect(missing.stderr.contains("no-such-dir:1:1: error: cannot read the governance directory"), "\(missing.stderr)")
    }

    /// A framework file in a governance directory is a framework: a key of `governance:`, a `--governance`
    /// selection (also by alias), in `coverage` and `governance show`; `coverage` gates on evidence against.
    @Test func aFrameworkFileAddsAFramework() throws {
        let scratch = TemporaryDirectory()
        scratch.write("governance/cis-debian12.yaml", """
            schema: 1
            framework: {id: cis-debian12, aliases: [cis], name: CIS Debian Linux 12 Benchmark, publisher: CIS, version: 1.1.0, source: "a test's own list"}
            controls:
              - {id: "1.1.1", title: Unused file system modules are disabled}
              - {id: "5.1.1", title: The SSH daemon's configuration file is private}

            """)
        scratch.write("checks/c.yaml", envCheck("home-set", "HOME", extra: #"governance: {cis: ["5.1.1"], pci-dss: ["2.2.1"]}"#)
            + envCheck("never-set", "DOCTOR_NEVER_SET_X", extra: #"governance: {cis-debian12: ["1.1.1"]}"#))
        let catalog = scratch.path + "/checks"
        #expect(try doctor(["validate", catalog]).status == 0)
        let run = try doctor(["run", "--catalog", catalog, "--governance", "cis", "--format", "json=\(scratch.path)/report.json"])
        #expect(run.status == 2, "\(run.stderr)")
        let report = try statuses(try #require(scratch.read("report.json")))
        #expect(Set(report.keys) == ["home-set", "never-set"])

        let show = try doctor(["governance", "show", "cis", "--catalog", catalog])
        #expect(show.stdout.contains("CIS Debian Linux 12 Benchmark 1.1.0: 2 controls\n  1.1.1 — Unused file system modules are disabled\n      checks: never-set\n"), "\(show.stdout)")
        let uncovered = try doctor(["governance", "show", "pci-dss", "--uncovered", "--catalog", catalog])
        #expect(uncovered.stdout.contains("  4.2.1 — "))
        #expect(!uncovered.stdout.contains("  2.2.1 — "))

        let coverage = try doctor(["coverage", "--catalog", catalog, "--governance", "cis", "--report", scratch.path + "/report.json"])
        #expect(coverage.status == 0)
        #expect(coverage.stdout.contains("1.1.1 — Unused file system modules are disabled\n      evidence against: never-set (fail)"), "\(coverage.stdout)")
        let gate = try doctor(["coverage", "--catalog", catalog, "--governance", "cis", "--report", scratch.path + "/report.json", "--fail-on-evidence-against"])
        #expect(gate.status == 2)
        #expect(gate.stderr.contains("1 control has evidence against: cis-debian12 1.1.1"), "\(gate.stderr)")
        // A report of another catalog, or of part of it, is flagged.
        #expect(gate.stderr.contains("ran a selection of the catalog"), "\(gate.stderr)")
        scratch.write("checks/c.yaml", envCheck("home-set", "HOME", extra: #"governance: {cis: ["5.1.1"]}"#))
        let other = try doctor(["coverage", "--catalog", catalog, "--report", scratch.path + "/report.json"])
        #expect(other.stderr.contains("came from a different catalog"), "\(other.stderr)")
    }

    /// The STIG rules' 800-53 controls make one check's evidence count for both frameworks.
    @Test func stigEvidenceIsReportedAgainstNIST() throws {
        let coverage = try doctor(["coverage", "--catalog", repoRoot + "/checks", "--governance", "nist-800-53", "--format", "json"])
        #expect(coverage.status == 0, "\(coverage.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(coverage.stdout.utf8)) as? [String: Any])
        let framework = try #require((document["frameworks"] as? [[String: Any]])?.first)
        let controls = framework["controls"] as? [[String: Any]] ?? []
        let ac3 = try #require(controls.first { $0["id"] as? String == "AC-3" })
        let checks = ac3["checks"] as? [[String: Any]] ?? []
        #expect(checks.contains { $0["id"] as? String == "vault-dir-perms" && $0["via"] as? String == "V-222425" }, "\(checks)")
        #expect(framework["control_count"] as? Int == 1027)
    }
}
