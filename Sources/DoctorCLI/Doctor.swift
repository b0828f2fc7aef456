import ArgumentParser
import DoctorCore
import Foundation

/// `doctor`: health checks for an Open Sesame host, from a declarative YAML catalog.
public struct Doctor: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Run health and compliance checks from a YAML catalog.",
        discussion: ExitCodes.help,
        version: DoctorVersion.current,
        subcommands: [RunCommand.self, ListCommand.self, ExplainCommand.self, CoverageCommand.self, GovernanceCommand.self, ValidateCommand.self, SchemaCommand.self, ProbesCommand.self, ServeCommand.self],
        defaultSubcommand: RunCommand.self
    )

    public init() {}
}

/// The exit-code table as `--help` shows it.
enum ExitCodes {
    static var help: String {
        let rows = ExitStatus.allCases.map { "  \(String($0.rawValue).padding(3)) \($0.meaning)" }
        return "EXIT CODES:\n" + rows.joined(separator: "\n")
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

/// Entry points for the executables (they stay one line each).
public enum Entry {
    public static func doctor() async { await Doctor.main() }

    /// `doctor` with an extension package's probes and formatters registered next to the built-ins: the one
    /// call an extension's `main.swift` makes (docs/extending.md). A name that is already taken stops the
    /// program with a message naming it.
    public static func doctor(probes: [any Probe.Type] = [], formatters: [any ResultFormatter.Type] = []) async {
        var toolbox = Toolbox()
        for probe in probes {
            guard toolbox.probes[probe.spec.type] == nil else {
                Console.err("doctor: the extension's probe type '\(probe.spec.type)' is already registered; choose another name")
                Glibc.exit(70)
            }
            toolbox.probes.register(probe)
        }
        for formatter in formatters {
            guard toolbox.formatters[formatter.name] == nil else {
                Console.err("doctor: the extension's format '\(formatter.name)' is already registered; choose another name")
                Glibc.exit(70)
            }
            toolbox.formatters.register(formatter)
        }
        await Toolbox.$current.withValue(toolbox) { await Doctor.main() }
    }
    public static func sesame() async { await Sesame.main() }
}
