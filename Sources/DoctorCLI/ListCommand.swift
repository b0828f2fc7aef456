import ArgumentParser
import DoctorCore
import DoctorFormatters

/// `doctor list`: the selected checks, as a table or JSON.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the selected checks.")

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var selectionOptions: SelectionOptions

    @Option(help: ArgumentHelp("table or json.", valueName: "format"))
    var format: ListFormat = .table

    enum ListFormat: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    func run() async throws {
        let session = try await CatalogSession.open(catalogOptions, selection: selectionOptions)
        let checks = session.catalog.checks.filter(selectionOptions.resolved(in: session.catalog).matches)
        switch format {
        case .table: Console.out(ListCommand.table(checks))
        case .json: Console.out(ListCommand.json(checks, digest: session.catalog.digest))
        }
    }

    static func table(_ checks: [Check]) -> String {
        let header = ["ID", "CATEGORY", "SEVERITY", "PROBE", "TITLE"]
        let rows = checks.map { [$0.id, $0.category, $0.severity.rawValue, $0.probe.type, $0.title] }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < 4 { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in index < 4 ? cell.padding(widths[index]) : cell }.joined(separator: "  ")
        }
        var out = line(header) + "\n"
        for row in rows { out += line(row) + "\n" }
        out += "\(checks.count) check\(checks.count == 1 ? "" : "s")\n"
        return out
    }

    static func json(_ checks: [Check], digest: String) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.string("catalog_digest", digest)
        json.beginArray("checks")
        for check in checks {
            json.beginObject()
            JSONFormatter.identity(check, into: &json)
            json.string("probe", check.probe.type)
            json.strings("requires", check.requires)
            json.string("source", "\(check.location.file):\(check.location.mark)")
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.output + "\n"
    }
}
