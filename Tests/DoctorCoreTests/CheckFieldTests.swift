import DoctorYAML
@testable import DoctorCore
import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

/// `CheckField.all` is the one list of a check's fields: it holds every property of `CheckValues`, and each
/// field is decoded, stored by the catalog cache and shown by explain.
@Suite struct CheckFieldTests {
    /// The check of `CatalogCacheTests.yaml` that sets every field.
    func fullCheck() async throws -> (Catalog, Check) {
        let directory = TemporaryDirectory()
        directory.write("checks.yaml", CatalogCacheTests.yaml)
        let catalog = try await CatalogLoader(registry: BuiltInProbes.registry).load(paths: [directory.path])
        return (catalog, try #require(catalog.check("every-kind")))
    }

    @Test func theTableHoldsEveryPropertyOfTheModelOnce() {
        let model = Mirror(reflecting: CheckValues()).children.compactMap(\.label)
        let table = CheckField.all.flatMap(\.properties)
        #expect(table.sorted() == model.sorted(), "CheckValues and CheckField.all differ")
        #expect(Set(CheckField.keys).count == CheckField.keys.count)
        #expect(CheckField.all.filter { $0.key == nil }.flatMap(\.properties) == ["location"], "only the location has no key")
    }

    /// The fixture the tests below rely on sets every property of the model: a new field fails here until
    /// the fixture (and so the codec round trip) covers it.
    @Test func theFullCheckSetsEveryProperty() async throws {
        let (_, check) = try await fullCheck()
        let unset = Mirror(reflecting: CheckValues()).children
        for (field, value) in zip(Mirror(reflecting: check.values).children, unset) {
            #expect(String(reflecting: field.value) != String(reflecting: value.value), "the full check leaves \(field.label ?? "?") unset")
        }
    }

    @Test func aCheckWithEveryFieldSetComesBackFromTheCodec() async throws {
        let (catalog, check) = try await fullCheck()
        let key = String(repeating: "0", count: 64)
        let decoded = try #require(CatalogCodec.decode(CatalogCodec.encode(catalog, key: key), key: key))
        #expect(String(reflecting: try #require(decoded.check("every-kind")).values) == String(reflecting: check.values))
        #expect(decoded.checks.map(\.wanted) == catalog.checks.map(\.wanted))
    }

    /// Every keyed field has a schema and a decoding; every field shows in explain, and the full check's
    /// explanation shows each part of it.
    @Test func everyFieldIsDecodedDescribedAndExplained() async throws {
        let (catalog, check) = try await fullCheck()
        let context = CheckField.ExplainContext(catalog: catalog, probes: BuiltInProbes.registry)
        let schema = SchemaGenerator(registry: BuiltInProbes.registry).checkDefinition()
        guard case .object(let definition) = schema, case .object(let properties)? = definition.first(where: { $0.0 == "properties" })?.1 else {
            Issue.record("the check definition has no properties")
            return
        }
        #expect(properties.map(\.0) == CheckField.keys)
        let explained = CheckField.explain(check, context)
        for field in CheckField.all {
            let name = field.key ?? field.properties.joined()
            #expect((field.key != nil) == (field.schema != nil && field.decoding != nil), "\(name)")
            #expect(!field.summary.isEmpty, "\(name)")
            #expect(!field.explain.isEmpty, "explain does not show \(name)")
            for part in field.explain {
                let text = try #require(part.text(check, context), "\(name)")
                #expect(!text.isEmpty && explained.contains(text), "\(name)")
            }
        }
    }

    /// An unknown key is told the known ones, in table order.
    @Test func anUnknownKeyListsTheTable() async throws {
        let directory = TemporaryDirectory()
        directory.write("a.yaml", "- {id: a, title: A, category: configuration, severity: low, probe: {type: env, name: HOME}, xyzzy: 1}\n")
        do {
            _ = try await CatalogLoader(registry: BuiltInProbes.registry).load(paths: [directory.path])
            Issue.record("an unknown key was accepted")
        } catch {
            #expect(error.issues.map(\.description) == [directory.path + "/a.yaml:1:93: error: [a] unknown key 'xyzzy' in check (expected one of: " + CheckField.keys.joined(separator: ", ") + ")"])
            #expect(CheckField.keys.joined(separator: ", ") == "id, title, description, rationale, category, severity, governance, probe, expect, governance_expect, remediation, timeout, requires, when, tags, sources")
        }
    }
}
