import ArgumentParser
import DoctorCore

/// `sesame`: the command lines of the Open Sesame design, so `sesame status --doctor --governance pci-dss
/// --format json` works verbatim. `sesame status --doctor …` is `doctor run …`.
public struct Sesame: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sesame",
        abstract: "Open Sesame command shim: `sesame status --doctor` runs the doctor catalog.",
        version: DoctorVersion.current,
        subcommands: [Status.self])

    public init() {}

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "With --doctor: run the health checks (the same as `doctor run`).",
            discussion: ExitCodes.help)

        @Flag(help: "Run the doctor checks.")
        var doctor = false

        @OptionGroup var catalogOptions: CatalogOptions
        @OptionGroup var selectionOptions: SelectionOptions
        @OptionGroup var outputOptions: OutputOptions
        @OptionGroup var executionOptions: ExecutionOptions

        func validate() throws {
            guard doctor else {
                throw ValidationError("this build of sesame only provides `sesame status --doctor`; daemon status comes from Open Sesame itself")
            }
        }

        func run() async throws {
            try await RunCommand.execute(
                catalog: catalogOptions, selection: selectionOptions, output: outputOptions, execution: executionOptions)
        }
    }
}
