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

    static func render(_ check: Check, catalog: Catalog, governance: GovernanceCatalog = GovernanceCatalog()) -> String {
        var out = "\(check.id) — \(check.title)\n\n"
        func field(_ name: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            out += "  " + (name + ":").padding(13) + value + "\n"
        }
        let category = catalog.category(check.category).map { "\(check.category) (\($0.title))" } ?? check.category
        field("category", category)
        field("severity", check.severity.rawValue)
        field("governance", check.governance.map { "\($0.framework): \($0.controls.joined(separator: ", "))" }.joined(separator: "; "))
        field("tags", check.tags.joined(separator: ", "))
        let timeout = check.timeout.map { DurationText.format(seconds: $0) }
            ?? "\(DurationText.format(seconds: catalog.defaultTimeout ?? 5)) (default)"
        field("timeout", timeout)
        field("requires", check.requires.joined(separator: ", "))
        field("applies when", check.when.map(describe).joined(separator: "; "))
        field("source", check.location.description)
        for (title, text) in [("Description", check.description), ("Rationale", check.rationale)] {
            guard let text else { continue }
            out += "\n\(title)\n" + indent(text) + "\n"
        }
        let spec = Toolbox.current.probes[check.probe.type]?.spec
        out += "\nProbe: \(check.probe.type)" + (spec.map { " — \($0.summary)" } ?? "") + "\n"
        for parameter in check.probe.parameters {
            out += "  \(parameter.name): \(parameter.value.text(as: spec?.parameter(parameter.name)?.type))\n"
        }
        out += "\nExpectations\n"
        for expectation in check.expectations { out += "  \(expectation.observation) \(expectation.summary)\n" }
        if check.expectations.isEmpty { out += "  (none: any observation passes)\n" }
        for (framework, expectations) in check.governanceExpectations {
            out += "  with --governance \(framework), also:\n"
            for expectation in expectations { out += "    \(expectation.observation) \(expectation.summary)\n" }
        }
        if let remediation = check.remediation { out += "\nRemediation\n" + indent(remediation) + "\n" }
        if !check.sources.isEmpty {
            out += "\nSources" + (catalog.upstream.map { " (upstream paths at \($0))" } ?? "") + "\n"
            for source in check.sources {
                out += indent("- \(source.fact): " + (source.upstream.map { "upstream \($0)" } ?? "policy: \(source.policy ?? "")")) + "\n"
            }
        }
        if !check.governance.isEmpty {
            out += "\nGives evidence for\n"
            for (frameworkID, controls) in check.governance {
                let framework = governance.framework(frameworkID)
                for id in controls {
                    guard let control = framework?.control(id) else {
                        out += "  \(frameworkID) \(id)\n"
                        continue
                    }
                    let extra = [control.category, control.stigID].compactMap { $0 }.joined(separator: ", ")
                    out += "  \(framework?.name ?? frameworkID) \(id)\(extra.isEmpty ? "" : " [\(extra)]"): \(control.title)\n"
                }
            }
        }
        return out
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }

    static func describe(_ condition: WhenCondition) -> String {
        switch condition {
        case .envSet(let name): "$\(name) is set"
        case .envUnset(let name): "$\(name) is not set"
        case .envEquals(let name, let value): "$\(name) is '\(value.text())'"
        case .pathExists(let path): "\(path.text()) exists"
        case .pathAbsent(let path): "\(path.text()) does not exist"
        }
    }
}
