import DoctorTestSupport
import Foundation
import Testing

/// Governance frameworks on the built binary: the shipped `governance/` files, control-ID validation, explain,
/// coverage.
@Suite struct GovernanceTests {
    @Test func theShippedFrameworksValidateAgainstTheirSchema() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: repoRoot + "/governance").filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files == ["nist-800-53.yaml", "pci-dss.yaml", "soc2.yaml", "stig.yaml"])
        let result = try run(try tool("check-jsonschema"), ["--schemafile", repoRoot + "/schemas/governance.schema.json"] + files.map { repoRoot + "/governance/" + $0 })
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
    }

    func scratchWithGovernance(_ checks: String) -> TemporaryDirectory {
        let scratch = TemporaryDirectory()
        scratch.write("checks/checks.yaml", checks)
        scratch.write("governance/pci-dss.yaml", """
            schema: 1
            framework: {id: pci-dss, aliases: [pci], name: PCI DSS, publisher: PCI SSC, version: 4.0.1}
            controls:
              - {id: "3.6.1", title: Keys are protected}
              - {id: "3.6.1.2", parent: "3.6.1", title: Private keys are stored securely}
              - {id: "10.3.2", title: Audit logs are protected}
            """)
        return scratch
    }

    @Test func anUnknownControlIsACatalogErrorWithItsCheck() throws {
        let scratch = scratchWithGovernance(envCheck("a", "HOME", extra: "governance: {pci-dss: [\"3.6.1\", \"3.6.9\"]}"))
        let result = try doctor(["validate", "--catalog", scratch.path + "/checks"])
        #expect(result.status == 65)
        // At the control ID itself, naming the framework's version.
        #expect(result.stderr.contains("checks.yaml:6:35: error: [a] unknown pci-dss control '3.6.9' in governance (PCI DSS 4.0.1) (did you mean '3.6.1'?)"), "\(result.stderr)")
        let good = scratchWithGovernance(envCheck("a", "HOME", extra: "governance: {pci-dss: [\"3.6.1\"]}"))
        #expect(try doctor(["validate", "--catalog", good.path + "/checks"]).status == 0)
    }

    @Test func explainAndCoverageNameTheControls() throws {
        let scratch = scratchWithGovernance(
            envCheck("keys", "HOME", extra: "governance: {pci-dss: [\"3.6.1\", \"3.6.1.2\"]}")
                + envCheck("logs", "DOCTOR_NEVER_SET_X", extra: "governance: {pci-dss: [\"3.6.1\"]}"))
        let catalog = scratch.path + "/checks"
        let explain = try doctor(["explain", "keys", "--catalog", catalog])
        #expect(explain.stdout.contains("PCI DSS 3.6.1.2: Private keys are stored securely"), "\(explain.stdout)")
        let report = scratch.path + "/report.json"
        _ = try doctor(["run", "--catalog", catalog, "--format", "json=\(report)"])
        let coverage = try doctor(["coverage", "--catalog", catalog, "--report", report])
        #expect(coverage.status == 0, "\(coverage.stderr)")
        #expect(coverage.stdout.contains("PCI DSS 4.0.1: 2 of 3 controls have checks giving evidence"), "\(coverage.stdout)")
        #expect(coverage.stdout.contains("evidence against: keys (pass), logs (fail)"), "\(coverage.stdout)")
        #expect(coverage.stdout.contains("evidence for: keys (pass)"), "\(coverage.stdout)")
        #expect(coverage.stdout.contains("Controls with no check (1):\n    10.3.2 — Audit logs are protected\n"), "\(coverage.stdout)")
        // Evidence, never a verdict of compliance.
        #expect(coverage.stdout.hasSuffix("Checks give technical evidence for a control; they do not make a system compliant.\n"))
        let json = try doctor(["coverage", "--catalog", catalog, "--governance", "pci", "--format", "json"])
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let framework = (document?["frameworks"] as? [[String: Any]])?.first
        #expect(framework?["uncovered"] as? [String] == ["10.3.2"])
        #expect((framework?["controls"] as? [[String: Any]])?.map { $0["id"] as? String } == ["3.6.1", "3.6.1.2"])
        #expect(try doctor(["coverage", "--catalog", catalog, "--governance", "hipaa"]).status == 64)
    }

    @Test func theShippedCatalogCitesOnlyKnownControls() throws {
        let result = try doctor(["validate", "--catalog", repoRoot + "/checks"])
        #expect(result.status == 0, "\(result.stderr)")
        let coverage = try doctor(["coverage", "--catalog", repoRoot + "/checks", "--governance", "stig"])
        #expect(coverage.stdout.contains("DISA STIG / SRG ASD STIG V6R1 + GPOS SRG V3R2 + RHEL 9 STIG V2R9 + Ubuntu 22.04 STIG V2R8: 33 of 1117 controls have checks giving evidence"), "\(coverage.stdout.prefix(300))")
        // The count docs/governance.md gives for PCI DSS.
        let pci = try doctor(["coverage", "--catalog", repoRoot + "/checks", "--governance", "pci-dss"])
        #expect(pci.stdout.hasPrefix("PCI DSS 4.0.1: 20 of 366 controls have checks giving evidence"), "\(pci.stdout.prefix(200))")
    }

    /// `governance_expect`: a framework's extra bar applies only when the run selects that framework; the check
    /// must carry the framework's controls; mistakes are catalog errors at their line.
    @Test func governanceExpectationsApplyOnlyWhenTheirFrameworkIsSelected() throws {
        let scratch = TemporaryDirectory()
        scratch.write("governance/pci-dss.yaml", """
            schema: 1
            framework: {id: pci-dss, name: PCI DSS, publisher: PCI SSC, version: 4.0.1}
            controls:
              - {id: "10.5.1", title: Audit history is retained for 12 months}
            """)
        scratch.write("config.toml", "[profiles.default.audit]\nretention_days = 120\n[profiles.work]\ncolor = \"red\"\n")
        let check = """
            - id: retention
              title: Audit retention
              category: configuration
              severity: medium
              governance: {pci-dss: ["10.5.1"]}
              probe:
                type: toml
                paths: ["\(scratch.path)/config.toml"]
                per: profiles
                select: [audit.retention_days]
                defaults: {audit.retention_days: 90}
              expect: {audit.retention_days: {ge: 90}}
              governance_expect:
                pci-dss: {audit.retention_days: {ge: 365}}

            """
        scratch.write("checks/checks.yaml", check)
        let catalog = scratch.path + "/checks"
        let plain = try doctor(["run", "--catalog", catalog, "--format", "json"])
        #expect(plain.status == 0, "\(plain.stdout) \(plain.stderr)")
        let pci = try doctor(["run", "--catalog", catalog, "--governance", "pci-dss", "--format", "json"])
        #expect(pci.status == 2)
        let checks = (try JSONSerialization.jsonObject(with: Data(pci.stdout.utf8)) as? [String: Any])?["checks"] as? [[String: Any]]
        let message = checks?.first?["message"] as? String ?? ""
        // Both profiles are judged, the one that sets nothing by the daemons' default.
        #expect(message == "profiles.default: audit.retention_days is 120, expected >= 365; profiles.work: audit.retention_days is 90, expected >= 365", "\(message)")
        let explain = try doctor(["explain", "retention", "--catalog", catalog])
        #expect(explain.stdout.contains("with --governance pci-dss, also:\n    audit.retention_days >= 365"), "\(explain.stdout)")

        // A framework the check is not tagged with could never be selected for it.
        scratch.write("checks/checks.yaml", check.replacingOccurrences(of: "governance: {pci-dss: [\"10.5.1\"]}", with: "governance: {soc2: [CC7.2]}"))
        let untagged = try doctor(["validate", "--catalog", catalog])
        #expect(untagged.status == 65)
        #expect(untagged.stderr.contains("checks.yaml:14:5: error: [retention] governance_expect.pci-dss: the check has no pci-dss controls in 'governance'"), "\(untagged.stderr)")
        scratch.write("checks/checks.yaml", check.replacingOccurrences(of: "    pci-dss: {audit", with: "    hipaa: {audit"))
        let unknown = try doctor(["validate", "--catalog", catalog])
        #expect(unknown.status == 65)
        #expect(unknown.stderr.contains("checks.yaml:14:5: error: [retention] unknown framework 'hipaa' in governance_expect"), "\(unknown.stderr)")
        // This governance/pci-dss.yaml replaces the built-in framework and declares no aliases: `pci` is unknown.
        scratch.write("checks/checks.yaml", check.replacingOccurrences(of: "    pci-dss: {audit", with: "    pci: {audit"))
        #expect(try doctor(["validate", "--catalog", catalog]).stderr.contains("unknown framework 'pci' in governance_expect"))
        scratch.write("checks/checks.yaml", check.replacingOccurrences(of: "pci-dss: {audit.retention_days: {ge: 365}}", with: "pci-dss: {audit.retention: {ge: 365}}"))
        let observation = try doctor(["validate", "--catalog", catalog])
        #expect(observation.status == 65)
        #expect(observation.stderr.contains("checks.yaml:14:15: error: [retention] unknown key 'audit.retention'"), "\(observation.stderr)")
    }
}
