import ArgumentParser
import DoctorCore

/// `doctor governance list` and `doctor governance show FRAMEWORK`: the frameworks control IDs are checked
/// against (built in, plus a governance directory's), and each framework's controls with the checks that give
/// evidence for them.
struct GovernanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "governance", abstract: "List the governance frameworks, or show one framework's controls and the checks that give evidence for each.",
        subcommands: [List.self, Show.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Each framework with its version, source and number of controls.")

        @OptionGroup var catalogOptions: CatalogOptions

        func run() async throws {
            let session = try await CatalogSession.open(catalogOptions, withGovernance: true)
            var out = ""
            for framework in session.governance.frameworks {
                let evidence = session.governance.evidence(for: framework, checks: session.catalog.checks)
                let covered = framework.controls.filter { evidence[$0.id] != nil }.count
                let aliases = framework.aliases.isEmpty ? "" : " (also: " + framework.aliases.joined(separator: ", ") + ")"
                out += "\(framework.id)\(aliases)\n"
                out += "  \(framework.name) \(framework.version), \(framework.publisher): \(framework.controls.count) controls, \(covered) with evidence from this catalog\n"
                if !framework.source.isEmpty { out += "  source: \(framework.source)\n" }
                out += "  from: \(framework.file)\n"
            }
            Console.out(out)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "A framework's controls with their titles, and the checks that give evidence for each.")

        @OptionGroup var catalogOptions: CatalogOptions

        @Argument(help: "The framework: an id or alias (pci-dss, pci, stig, soc2, nist-800-53, …).")
        var framework: String

        @Flag(help: "Only the controls no check gives evidence for.")
        var uncovered = false

        @Flag(help: "Only the controls some check gives evidence for.")
        var covered = false

        func run() async throws {
            if covered && uncovered { throw ValidationError("--covered and --uncovered exclude each other") }
            let session = try await CatalogSession.open(catalogOptions, withGovernance: true)
            guard let info = session.governance.framework(framework) else {
                Console.err("doctor: " + SelectionOptions.unknownFramework(framework, session.governance.frameworks.map { ($0.id, $0.aliases) }))
                throw ExitCode(ExitStatus.usage.rawValue)
            }
            let evidence = session.governance.evidence(for: info, checks: session.catalog.checks)
            var out = "\(info.name) \(info.version): \(info.controls.count) controls\n"
            for control in info.controls {
                let items = evidence[control.id] ?? []
                if covered && items.isEmpty || uncovered && !items.isEmpty { continue }
                var label = control.id
                if let category = control.category { label += " [\(category)]" }
                out += "  \(label) — \(control.title)\n"
                if !items.isEmpty {
                    let names: [String] = items.map { item in
                        guard let via = item.via else { return item.check }
                        return "\(item.check) (via \(via))"
                    }
                    out += "      checks: " + names.joined(separator: ", ") + "\n"
                }
            }
            Console.out(out)
        }
    }
}
