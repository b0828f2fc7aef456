import DoctorTestSupport
import DoctorCore
import DoctorYAML
import Foundation
import Testing

@Suite struct CatalogLoaderTests {
    @Test func loadsEveryFeature() async throws {
        let catalog = try await loadCatalog([
            "catalog.yaml": "categories:\n  - {id: backups, title: Backups}\ntimeout: 3s\n",
            "a.yaml": """
                id: one
                title: One
                description: d
                rationale: r
                category: backups
                severity: critical
                governance: {stig: [V-222642], pci-dss: ["3.6.1.2"], soc2: [CC6.1]}
                probe: {type: value, number: 2, text: "${HOME}/x"}
                expect:
                  number: {ge: 1, warn_if: {gt: 1.5}, fail_if: {gt: 10}}
                  text: {matches: "^/"}
                remediation: fix it
                timeout: 250ms
                requires: two
                when: {env: HOME, env_equals: {SHELL: /bin/sh}, path_exists: /, reason: why}
                tags: [a, b]
                """,
            "sub/b.yaml": check("two", probe: "{type: value, number: 1}", expect: "{number: 1}"),
        ])
        #expect(catalog.checks.map(\.id) == ["one", "two"])
        let one = try #require(catalog.check("one"))
        #expect(one.category == "backups")
        #expect(one.severity == .critical)
        #expect(one.governance.map(\.framework) == ["stig", "pci-dss", "soc2"])
        #expect(one.controls(for: "pci-dss") == ["3.6.1.2"])
        #expect(one.timeout == 0.25)
        #expect(one.requires == ["two"])
        #expect(one.when.count == 3)
        #expect(one.whenReason == "why")
        #expect(one.tags == ["a", "b"])
        #expect(one.expectations.map(\.observation) == ["number", "text"])
        #expect(one.expectations[0].warnIf.count == 1 && one.expectations[0].failIf.count == 1)
        #expect(one.location.mark == SourceMark(line: 1, column: 1))
        #expect(one.location.file.hasSuffix("a.yaml"))
        #expect(catalog.defaultTimeout == 3)
        #expect(catalog.categories.contains { $0.id == "backups" })
        #expect(catalog.digest.count == 64)
    }

    @Test func digestDependsOnContentOnly() async throws {
        let files = ["a.yaml": check("one", probe: "{type: value, number: 1}")]
        let first = try await loadCatalog(files)
        let again = try await loadCatalog(files)
        let changed = try await loadCatalog(["a.yaml": check("one", probe: "{type: value, number: 2}")])
        #expect(first.digest == again.digest)
        #expect(first.digest != changed.digest)
    }

    @Test func singleCheckAndListFormsAreEquivalent() async throws {
        let single = try await loadCatalog(["a.yaml": "id: one\ntitle: t\ncategory: configuration\nseverity: low\nprobe: {type: value, number: 1}\n"])
        let list = try await loadCatalog(["a.yaml": check("one", probe: "{type: value, number: 1}")])
        #expect(single.checks.map(\.id) == list.checks.map(\.id))
    }

    @Test func defaultExpectationsApplyWithoutExpect() async throws {
        let catalog = try await loadCatalog(["a.yaml": check("s", probe: "{type: sleep, seconds: 0}")])
        #expect(catalog.checks[0].expectations.map(\.observation) == ["done"])
    }

    /// Each case: a catalog and the exact issues it must produce (file:line:col, check id, message, hint).
    static let invalidCases: [(String, [String: String], [String])] = [
        ("unknown key", ["a.yaml": check("a", probe: "{type: value, number: 1}", extra: "severty: high")],
         ["a.yaml:6:3: error: [a] unknown key 'severty' in check (did you mean 'severity'?)"]),
        ("duplicate key", ["a.yaml": "id: a\ntitle: t\ncategory: configuration\nseverity: low\nprobe: {type: value, number: 1}\ntitle: again\n"],
         ["a.yaml:6:1: error: duplicate key 'title' (first defined at 2:1)"]),
        ("duplicate id across files", ["a.yaml": check("same", probe: "{type: value, number: 1}"), "b.yaml": check("same", probe: "{type: value, number: 2}")],
         ["b.yaml:1:3: error: [same] duplicate check id 'same' (first defined at a.yaml:1:3)"]),
        ("unknown probe type", ["a.yaml": check("a", probe: "{type: valeu, number: 1}")],
         ["a.yaml:5:17: error: [a] unknown probe type 'valeu' (did you mean 'value'?)"]),
        ("wrong parameter type", ["a.yaml": check("a", probe: "{type: value, number: \"1\"}")],
         ["a.yaml:5:32: error: [a] probe.number: expected a number, found the string \"1\""]),
        ("unknown parameter", ["a.yaml": check("a", probe: "{type: value, number: 1, nmber: 2}")],
         ["a.yaml:5:35: error: [a] unknown key 'nmber' in the parameters of probe 'value' (did you mean 'number'?)"]),
        ("missing parameter", ["a.yaml": check("a", probe: "{type: value}")],
         ["a.yaml:5:10: error: [a] probe 'value' needs parameter 'number'"]),
        ("bad severity", ["a.yaml": "- id: a\n  title: t\n  category: configuration\n  severity: hihg\n  probe: {type: value, number: 1}\n"],
         ["a.yaml:4:13: error: [a] invalid severity 'hihg' (did you mean 'high'?)"]),
        ("bad category", ["a.yaml": "- id: a\n  title: t\n  category: configuraton\n  severity: low\n  probe: {type: value, number: 1}\n"],
         ["a.yaml:3:13: error: [a] unknown category 'configuraton' (did you mean 'configuration'?)"]),
        ("bad duration", ["a.yaml": check("a", probe: "{type: value, number: 1}", extra: "timeout: 5")],
         ["a.yaml:6:12: error: [a] timeout: expected a duration with a unit, found '5' (write '5s')"]),
        ("unknown observation", ["a.yaml": check("a", probe: "{type: value, number: 1}", expect: "{numbr: 1}")],
         ["a.yaml:6:12: error: [a] unknown key 'numbr' in the expectations of probe 'value' (did you mean 'number'?)"]),
        ("operator that does not apply", ["a.yaml": check("a", probe: "{type: value, number: 1}", expect: "{number: {within: 1}}")],
         ["a.yaml:6:21: error: [a] operator 'within' does not apply to number (a number)"]),
        ("unknown operator", ["a.yaml": check("a", probe: "{type: value, number: 1}", expect: "{number: {gte: 1}}")],
         ["a.yaml:6:21: error: [a] unknown key 'gte' in expect.number (did you mean 'ge'?)"]),
        ("bad regex", ["a.yaml": check("a", probe: "{type: value, number: 1, text: x}", expect: "{text: {matches: \"(\"}}")],
         ["a.yaml:6:28: error: [a] expect.text.matches: invalid regular expression '(': "]),
        ("requires unknown", ["a.yaml": check("a", probe: "{type: value, number: 1}", extra: "requires: [b]") + check("bb", probe: "{type: value, number: 1}")],
         ["a.yaml:1:3: error: [a] requires unknown check 'b' (did you mean 'bb'?)"]),
        ("requires cycle", ["a.yaml": check("a", probe: "{type: value, number: 1}", extra: "requires: [b]") + check("b", probe: "{type: value, number: 1}", extra: "requires: [a]")],
         ["a.yaml:7:3: error: [b] requires forms a cycle: a → b → a"]),
        ("bad variable syntax", ["a.yaml": check("a", probe: "{type: value, number: 1, text: \"${OPEN\"}")],
         ["a.yaml:5:41: error: [a] probe.text: unterminated '${' in '${OPEN'"]),
        ("missing required keys", ["a.yaml": "- id: a\n  probe: {type: value, number: 1}\n"],
         ["a.yaml:1:3: error: [a] missing required key 'title'", "a.yaml:1:3: error: [a] missing required key 'category'", "a.yaml:1:3: error: [a] missing required key 'severity'"]),
        ("bad id", ["a.yaml": check("Bad_ID!", probe: "{type: value, number: 1}")],
         ["a.yaml:1:7: error: [Bad_ID!] invalid check id 'Bad_ID!' (use lowercase letters, digits, '-' and '.', starting with a letter)"]),
        ("bad governance framework key", ["a.yaml": check("a", probe: "{type: value, number: 1}", extra: "governance: {PCI_DSS: [\"1.1\"]}")],
         ["a.yaml:6:16: error: [a] framework key 'PCI_DSS' in governance must be lowercase letters, digits and '-'"]),
        ("syntax error", ["a.yaml": "- id: a\n  title: [unclosed\n"],
         ["a.yaml:3:1: error: YAML syntax error: "]),
        ("unknown when key", ["a.yaml": check("a", probe: "{type: sleep, seconds: 1}", extra: "when: {env: [A, B], bogus: 1}")],
         ["a.yaml:6:23: error: [a] unknown key 'bogus' in when (expected one of: env, env_unset, env_equals, path_exists, path_absent, reason)"]),
    ]

    @Test(arguments: invalidCases.indices)
    func rejectsInvalidCatalogsWithExactLocations(_ index: Int) async {
        let (name, files, expected) = CatalogLoaderTests.invalidCases[index]
        let issues = await catalogIssues(files)
        let normalized = issues.map { $0.replacingOccurrences(of: #"/tmp/doctor-test-[A-Za-z0-9]+/"#, with: "A/", options: .regularExpression) }
        #expect(normalized.count == expected.count, "\(name): \(normalized)")
        for (got, want) in zip(normalized, expected) {
            #expect(got.hasPrefix(want), "\(name): got \(got)")
        }
    }

    @Test func reportsAllErrorsOfACatalogInOnePass() async {
        let issues = await catalogIssues([
            "a.yaml": check("a", probe: "{type: valeu, number: 1}"),
            "b.yaml": check("b", probe: "{type: value, number: 1}", extra: "timeout: soon\nseverty: x"),
            "c.yaml": "id: c\nid: d\n",
        ])
        #expect(issues.count >= 5)
        #expect(issues.contains { $0.hasPrefix("a.yaml") })
        #expect(issues.contains { $0.hasPrefix("b.yaml:6") })
        #expect(issues.contains { $0.hasPrefix("b.yaml:7") })
        #expect(issues.contains { $0.hasPrefix("c.yaml:2:1") })
    }

    @Test func anEmptyDirectoryIsAnError() async {
        let issues = await catalogIssues([:])
        #expect(issues.count == 1)
        #expect(issues.first?.contains("no *.yaml check files found") == true)
    }

    @Test func aMissingPathIsAnError() async {
        do {
            _ = try await CatalogLoader(registry: testRegistry).load(paths: ["/nonexistent/catalog"])
            Issue.record("loaded a missing path")
        } catch {
            #expect(error.description.contains("/nonexistent/catalog:1:1: error: catalog path does not exist"))
        }
    }
}

