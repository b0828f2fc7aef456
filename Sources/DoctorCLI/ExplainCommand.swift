import ArgumentParser
import DoctorCore

/// `doctor explain ID`: everything about one check.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "Show everything about a check: rationale, governance, probe, expectations, remediation.")

    @OptionGroup var catalogOptions: CatalogOptions

    @Argument(help: "The check id.")
    var id: String

    func run() async throws {
        let session = try await CatalogSession.open(catalogOptions, withGovernance: true)
        guard let check = session.catalog.check(id) else {
            let hint = Suggest.closest(to: id, in: session.catalog.checks.map(\.id)).map { " (did you mean '\($0)'?)" } ?? ""
            Console.err("doctor: no check '\(id)' in the catalog\(hint)")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        Console.out(ExplainCommand.render(check, catalog: session.catalog, governance: session.governance))
    }

    /// What `CheckField.all` says of each field of the check.
    static func render(_ check: Check, catalog: Catalog, governance: GovernanceCatalog = GovernanceCatalog()) -> String {
        CheckField.explain(check, CheckField.ExplainContext(catalog: catalog, governance: governance, probes: Toolbox.current.probes))
    }
}
