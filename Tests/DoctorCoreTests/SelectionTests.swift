import DoctorTestSupport
import DoctorCore
import DoctorYAML
import Foundation
import Testing

@Suite struct SelectionTests {
    static let yaml = """
        - {id: ipc-a, title: a, category: ipc-connectivity, severity: high, governance: {stig: [V-1]}, tags: [x], probe: {type: value, number: 1}}
        - {id: ipc-b, title: b, category: ipc-connectivity, severity: low, governance: {pci-dss: ["1"]}, probe: {type: value, number: 1}}
        - {id: cfg-c, title: c, category: configuration, severity: critical, governance: {soc2: [CC6.1]}, requires: [ipc-b], probe: {type: value, number: 1}}
        - {id: cfg-d, title: d, category: configuration, severity: info, probe: {type: value, number: 1}}
        """

    func ids(_ selection: Selection) async throws -> [String] {
        let catalog = try await loadCatalog(["a.yaml": SelectionTests.yaml])
        return catalog.checks.filter(selection.matches).map(\.id)
    }

    @Test func filters() async throws {
        #expect(try await ids(Selection(governance: ["stig"])) == ["ipc-a"])
        #expect(try await ids(Selection(governance: ["stig", "soc2"])) == ["ipc-a", "cfg-c"])
        #expect(try await ids(Selection(categories: ["configuration"])) == ["cfg-c", "cfg-d"])
        #expect(try await ids(Selection(minimumSeverity: .high)) == ["ipc-a", "cfg-c"])
        #expect(try await ids(Selection(checks: ["ipc-*"])) == ["ipc-a", "ipc-b"])
        #expect(try await ids(Selection(checks: ["ipc-*"], skip: ["*-b"])) == ["ipc-a"])
        #expect(try await ids(Selection(tags: ["x"])) == ["ipc-a"])
    }

    @Test func planPullsInRequirements() async throws {
        let catalog = try await loadCatalog(["a.yaml": SelectionTests.yaml])
        let plan = Selection(checks: ["cfg-c"]).plan(catalog)
        #expect(plan.map(\.check.id) == ["ipc-b", "cfg-c"])
        #expect(plan.map(\.asRequirement) == [true, false])
    }

    @Test func globs() {
        #expect(Glob.matches("ipc-*", "ipc-socket"))
        #expect(!Glob.matches("ipc-*", "vault-x"))
        #expect(Glob.matches("*-perms", "ipc-socket-perms"))
        #expect(Glob.matches("v?ult-[a-c]*", "vault-b"))
        #expect(!Glob.matches("v?ult-[!a-c]*", "vault-b"))
        #expect(Glob.matches("exact", "exact"))
    }
}
