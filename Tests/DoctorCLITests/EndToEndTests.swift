import DoctorTestSupport
import Foundation
import Testing

/// The built `doctor` and `sesame` binaries, run as users and CI run them.
@Suite struct EndToEndTests {
    static let pass = envCheck("home-set", "HOME")
    static let warn = envCheck("warns", "DOCTOR_E2E", expect: "{value: {warn_if: {eq: w}}}")
    static let fail = envCheck("fails", "DOCTOR_E2E", expect: "{value: expected-value}")
    static let error = "- id: errors\n  title: errors\n  category: configuration\n  severity: low\n  probe: {type: file, path: \"${DOCTOR_E2E_UNDEFINED}/x\"}\n"
    static let skip = envCheck("skips", "HOME", extra: "when: {env: DOCTOR_E2E_NEVER_SET}")

    func exitCode(_ yaml: String) throws -> Int32 {
        let scratch = TemporaryDirectory()
        scratch.write("checks.yaml", yaml)
        return try doctor(["run", "--catalog", scratch.path], environment: ["DOCTOR_E2E": "w"]).status
    }

    @Test func exitCodesFollowTheTable() throws {
        #expect(try exitCode(Self.pass + Self.skip) == 0)
        #expect(try exitCode(Self.pass + Self.warn) == 1)
        #expect(try exitCode(Self.pass + Self.warn + Self.fail + Self.error) == 2)
        #expect(try exitCode(Self.pass + Self.warn + Self.error) == 3)
        #expect(try exitCode("- id: x\n  title: x\n") == 65)
        #expect(try doctor(["run", "--no-such-flag"]).status == 64)
        #expect(try doctor(["run", "--severity", "hihg"]).status == 64)
        #expect(try doctor(["run", "--format", "yaml"]).status == 64)
    }

    @Test func anInvalidCatalogIsRefusedWithEveryIssue() throws {
        let scratch = TemporaryDirectory()
        scratch.write("a.yaml", "id: a\ntitle: a\ncategory: configuration\nseverity: hihg\nprobe: {type: fiel}\n")
        scratch.write("b.yaml", envCheck("b", "HOME", extra: "timeout: 5"))
        for command in ["run", "validate", "list"] {
            let result = try doctor([command, "--catalog", scratch.path])
            #expect(result.status == 65, "\(command)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("a.yaml:4:11: error: [a] invalid severity 'hihg' (did you mean 'high'?)"))
            #expect(result.stderr.contains("a.yaml:5:15: error: [a] unknown probe type 'fiel' (did you mean 'file'?)"))
            #expect(result.stderr.contains("b.yaml:6:12: error: [b] timeout: expected a duration with a unit, found '5' (write '5s')"))
            #expect(result.stderr.contains("catalog invalid: 3 errors"))
        }
    }

    @Test func helpDocumentsTheExitCodes() throws {
        let help = try doctor(["run", "--help"])
        #expect(help.status == 0)
        for line in ["0   every selected check passed", "1   warnings only", "2   at least one check failed", "3   at least one check errored", "64  usage error", "65  invalid catalog"] {
            #expect(help.stdout.contains(line), "missing: \(line)")
        }
    }

    @Test func versionIsPrinted() throws {
        let version = try doctor(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil)
    }

    @Test func textOutputGroupsMarksAndRemediation() throws {
        let scratch = TemporaryDirectory()
        scratch.write("checks.yaml", Self.pass + Self.fail.replacingOccurrences(of: "  probe:", with: "  remediation: export DOCTOR_E2E=expected-value\n  probe:"))
        let result = try doctor(["run", "--catalog", scratch.path], environment: ["DOCTOR_E2E": "w"])
        #expect(result.status == 2)
        #expect(result.stdout.hasPrefix("Configuration\n"))
        #expect(result.stdout.contains("  ✔ home-set"))
        #expect(result.stdout.contains("  ✘ fails"))
        #expect(result.stdout.contains("      $DOCTOR_E2E: value is \"w\", expected == \"expected-value\"\n      fix: export DOCTOR_E2E=expected-value\n"))
        #expect(result.stdout.contains("2 checks: 1 passed, 0 warnings, 1 failed, 0 errors, 0 skipped in "))
        #expect(!result.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
        let colored = try doctor(["run", "--catalog", scratch.path, "--color", "always"], environment: ["DOCTOR_E2E": "w"])
        #expect(colored.stdout.contains("\u{1B}[31m✘\u{1B}[0m"))
        let verbose = try doctor(["run", "--catalog", scratch.path, "-v"], environment: ["DOCTOR_E2E": "w"])
        #expect(verbose.stdout.contains(#"observed $DOCTOR_E2E: set=true value="w""#))
        #expect(verbose.stdout.contains(#"expected value == "expected-value""#))
    }

    @Test func jsonReportValidatesAgainstItsSchema() throws {
        let validator = try tool("check-jsonschema")
        let scratch = TemporaryDirectory()
        scratch.write("checks/all.yaml", Self.pass + Self.warn + Self.fail + Self.error + Self.skip)
        let result = try doctor(["run", "--catalog", scratch.path + "/checks", "--format", "json", "--output", scratch.path + "/report.json", "--governance", "stig", "--governance", "soc2"], environment: ["DOCTOR_E2E": "w"])
        // Nothing cites those frameworks: an empty selection is a usage error, never a green run.
        #expect(result.status == 64, "nothing selected: \(result.stderr)")
        #expect(result.stderr.contains("--governance stig: no check in the catalog cites any governance framework"), "\(result.stderr)")
        let all = try doctor(["run", "--catalog", scratch.path + "/checks", "--format", "json", "--output", scratch.path + "/all.json"], environment: ["DOCTOR_E2E": "w"])
        #expect(all.status == 2)
        #expect(all.stdout.isEmpty)
        for report in ["all.json"] {
            let validation = try run(validator, ["--schemafile", repoRoot + "/schemas/report.schema.json", scratch.path + "/" + report])
            #expect(validation.status == 0, "\(report): \(validation.stdout) \(validation.stderr)")
        }
        let data = try #require(scratch.read("all.json")).data(using: .utf8)!
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["exit_code"] as? Int == 2)
        #expect((json["summary"] as? [String: Int]) == ["total": 5, "pass": 1, "warn": 1, "fail": 1, "error": 1, "skip": 1])
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(checks.map { $0["id"] as? String } == ["home-set", "warns", "fails", "errors", "skips"])
        #expect(checks.map { $0["status"] as? String } == ["pass", "warn", "fail", "error", "skip"])
        #expect((checks[2]["expected"] as? [String: String]) == ["value": #"== "expected-value""#])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)")
    }

    @Test func sesameStatusDoctorIsDoctorRun() throws {
        let sesame = try executable("sesame")
        let verbatim = try run(sesame, ["status", "--doctor", "--governance", "pci-dss", "--format", "json"], cwd: repoRoot)
        let same = try doctor(["run", "--governance", "pci-dss", "--format", "json"], cwd: repoRoot)
        #expect(verbatim.status == same.status)
        let data = Data(verbatim.stdout.utf8)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(!checks.isEmpty)
        for check in checks where (check["included_as_requirement"] as? Bool) == false {
            let governance = check["governance"] as? [String: [String]]
            #expect(governance?["pci-dss"]?.isEmpty == false, "\(check["id"] ?? "") has no PCI DSS control")
        }
        let bare = try run(sesame, ["status"])
        #expect(bare.status == 64)
    }

    @Test func selectionFlags() throws {
        let scratch = TemporaryDirectory()
        scratch.write("c.yaml", """
            - {id: ipc-a, title: a, category: ipc-connectivity, severity: high, governance: {stig: [V-222425]}, probe: {type: env, name: HOME}}
            - {id: ipc-b, title: b, category: ipc-connectivity, severity: low, probe: {type: env, name: HOME}}
            - {id: cfg-c, title: c, category: configuration, severity: critical, requires: [ipc-b], probe: {type: env, name: HOME}}
            """)
        func ids(_ flags: [String], command: String = "list") throws -> [String] {
            let result = try doctor([command, "--catalog", scratch.path, "--format", "json"] + flags)
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return (json?["checks"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
        }
        #expect(try ids(["--governance", "stig"]) == ["ipc-a"])
        #expect(try ids(["--category", "configuration"]) == ["cfg-c"])
        #expect(try ids(["--severity", "high"]) == ["ipc-a", "cfg-c"])
        #expect(try ids(["--check", "ipc-*", "--skip", "*-b"]) == ["ipc-a"])
        // run pulls in what a selected check requires; list shows the selection only.
        #expect(try ids(["--check", "cfg-c"], command: "run") == ["ipc-b", "cfg-c"])
        #expect(try ids(["--check", "cfg-c"]) == ["cfg-c"])
        let unknown = try doctor(["run", "--catalog", scratch.path, "--category", "configuraton"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("did you mean 'configuration'?"))
    }

    @Test func variablesFromFlagsAndFiles() throws {
        let scratch = TemporaryDirectory()
        scratch.write("checks/c.yaml", "- {id: v, title: v, category: configuration, severity: low, probe: {type: file, path: \"${TARGET}\"}, expect: {type: \"${KIND}\"}}\n")
        scratch.write("vars.yaml", "TARGET: /etc\nKIND: file\n")
        let fromFile = try doctor(["run", "--catalog", scratch.path + "/checks", "--vars-file", scratch.path + "/vars.yaml"])
        #expect(fromFile.status == 2)
        #expect(fromFile.stdout.contains(#"/etc: type is "dir", expected == "file""#))
        let overridden = try doctor(["run", "--catalog", scratch.path + "/checks", "--vars-file", scratch.path + "/vars.yaml", "--var", "KIND=dir"])
        #expect(overridden.status == 0)
        let undefined = try doctor(["run", "--catalog", scratch.path + "/checks"], environment: ["TARGET": nil])
        #expect(undefined.status == 3)
        #expect(undefined.stdout.contains("undefined variable ${TARGET} in probe.path ("))
        #expect(try doctor(["run", "--catalog", scratch.path + "/checks", "--var", "=x"]).status == 64)
    }

    @Test func catalogLocation() throws {
        let scratch = TemporaryDirectory()
        scratch.write("mine/c.yaml", Self.pass)
        let fromEnv = try doctor(["list"], environment: ["DOCTOR_CATALOG": scratch.path + "/mine"], cwd: "/")
        #expect(fromEnv.stdout.contains("home-set"))
        let checkout = try doctor(["validate"], environment: ["DOCTOR_CATALOG": nil], cwd: repoRoot + "/Sources")
        #expect(checkout.status == 0)
        #expect(checkout.stdout.hasPrefix("catalog valid: "))
    }

    @Test func explainShowsEverything() throws {
        let result = try doctor(["explain", "crypto-bus-private-key"], cwd: repoRoot)
        #expect(result.status == 0)
        for part in ["crypto-bus-private-key — ", "severity:    critical", "governance:  stig: V-222642", "Rationale", "Probe: file", "path: ${XDG_RUNTIME_DIR}/pds/bus.key", "Expectations", "mode == 0600", "Remediation"] {
            #expect(result.stdout.contains(part), "missing \(part)")
        }
        let unknown = try doctor(["explain", "crypto-bus-privte-key"], cwd: repoRoot)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("did you mean 'crypto-bus-private-key'?"))
    }

    @Test func schemaCommandPrintsTheCommittedSchemas() throws {
        for (kind, file) in [("check", "check.schema.json"), ("catalog", "catalog.schema.json"), ("report", "report.schema.json")] {
            let printed = try doctor(["schema", kind])
            #expect(printed.status == 0)
            #expect(printed.stdout == (try String(contentsOfFile: repoRoot + "/schemas/" + file, encoding: .utf8)), "doctor schema \(kind)")
        }
    }

    @Test func completionScriptsAreGenerated() throws {
        let bash = try doctor(["--generate-completion-script", "bash"])
        #expect(bash.status == 0)
        #expect(bash.stdout.contains("--governance"))
    }

    @Test func theRunDeadlineMarksTheReportIncomplete() throws {
        let scratch = TemporaryDirectory()
        scratch.write("c.yaml", "- {id: walk, title: walk, category: configuration, severity: low, timeout: 60s, probe: {type: file, none: \"/**/*.doctor-never-matches\"}}\n")
        let started = Date()
        let result = try doctor(["run", "--catalog", scratch.path, "--deadline", "300ms", "--format", "json"])
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(result.status == 3)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(json?["incomplete"] as? Bool == true)
        #expect(json?["incomplete_reason"] as? String == "run deadline of 300ms exceeded")
    }

    @Test(arguments: [(SIGINT, "SIGINT", Int32(130)), (SIGTERM, "SIGTERM", Int32(143))])
    func aSignalStopsTheRunWithAPartialReport(_ signal: Int32, _ name: String, _ code: Int32) throws {
        let scratch = TemporaryDirectory()
        scratch.write("c.yaml", "- {id: quick, title: quick, category: configuration, severity: low, probe: {type: env, name: HOME}}\n"
            + "- {id: walk, title: walk, category: configuration, severity: low, timeout: 120s, probe: {type: file, none: \"/**/*.doctor-never-matches\"}}\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable("doctor"))
        process.arguments = ["run", "--catalog", scratch.path, "--format", "json", "--output", scratch.path + "/report.json", "--jobs", "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(700_000)
        kill(process.processIdentifier, signal)
        let started = Date()
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(started) < 3, "did not stop promptly after \(name)")
        #expect(process.terminationStatus == code)
        let data = try #require(scratch.read("report.json")).data(using: .utf8)!
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["incomplete"] as? Bool == true)
        #expect(json["incomplete_reason"] as? String == "interrupted by \(name)")
        let checks = json["checks"] as? [[String: Any]] ?? []
        #expect(checks.map { $0["status"] as? String } == ["pass", "skip"])
        #expect(checks.last?["message"] as? String == "not finished: interrupted by \(name)")
    }
}

