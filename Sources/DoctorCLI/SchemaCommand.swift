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

/// `doctor probes`: the probe types this build knows.
struct ProbesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "probes", abstract: "List the probe types and what they observe.")

    func run() async throws {
        var out = ""
        for probe in Toolbox.current.probes.sorted {
            let spec = probe.spec
            out += "\(spec.type.padding(14)) \(spec.summary)\n"
            out += "".padding(15) + "parameters: " + spec.parameters.map(\.name).joined(separator: ", ") + "\n"
            out += "".padding(15) + "observes:   " + spec.observations.map(\.name).joined(separator: ", ") + "\n"
        }
        Console.out(out)
    }
}
