import ArgumentParser
import DoctorCore
import DoctorFormatters

/// `doctor schema`: print a JSON Schema (the check format by default).
struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "Print the JSON Schema of check files (or of catalog.yaml, or of the JSON report).")

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case check, catalog, report
    }

    @Argument(help: "check, catalog or report.")
    var kind: Kind = .check

    func run() async throws {
        Console.out(SchemaCommand.render(kind, Toolbox.current))
    }

    static func render(_ kind: Kind, _ toolbox: Toolbox) -> String {
        let generator = SchemaGenerator(registry: toolbox.probes)
        switch kind {
        case .check: return generator.checkSchema().rendered
        case .catalog: return generator.catalogSchema().rendered
        case .report: return ReportSchema.document.rendered
        }
    }
}
