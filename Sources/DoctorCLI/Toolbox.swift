import DoctorCore
import DoctorFormatters
import DoctorProbes

/// The probes and formatters a build offers. An extension package builds its own `doctor` with more.
public struct Toolbox: Sendable {
    public var probes: ProbeRegistry
    public var formatters: FormatterRegistry

    public init(probes: ProbeRegistry = BuiltInProbes.registry, formatters: FormatterRegistry = BuiltInFormatters.registry) {
        self.probes = probes
        self.formatters = formatters
    }

    /// The toolbox of the running command: the built-ins, or what an extension package's `main` bound with
    /// `Entry.doctor(probes:formatters:)` around the whole command. A task-local, not a process global: it
    /// travels with the command's tasks and cannot change under them.
    @TaskLocal public static var current = Toolbox()
}
