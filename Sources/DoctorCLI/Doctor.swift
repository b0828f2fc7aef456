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
