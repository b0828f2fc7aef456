import ArgumentParser
import DoctorCore

/// `doctor`: health checks for an Open Sesame host, from a declarative YAML catalog.
public struct Doctor: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Run health and compliance checks from a YAML catalog.",
        discussion: ExitCodes.help,
        version: DoctorVersion.current,
        subcommands: [RunCommand.self, ListCommand.self, ExplainCommand.self, CoverageCommand.self, ValidateCommand.self, SchemaCommand.self, ProbesCommand.self, ServeCommand.self],
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
    public static func sesame() async { await Sesame.main() }
}
