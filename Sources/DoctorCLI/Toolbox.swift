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

    /// The toolbox of this process. An extension package's `main` registers its probes and formatters here
    /// once, before any command runs; nothing changes it afterwards.
    nonisolated(unsafe) public static var current = Toolbox()
}
