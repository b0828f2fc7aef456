import Logging

/// The probe types a run knows, by name. Built-ins are registered by `DoctorProbes`; an extension package can
/// register its own next to them.
public struct ProbeRegistry: Sendable {
    public private(set) var types: [String: any Probe.Type] = [:]
    /// Probe types that conform to `BoundedProbe`, decided once (a dynamic cast per check is measurable).
    public private(set) var bounded: Set<String> = []
    /// Probe types that conform to `ProgramRunningProbe`: their checks need a trusted catalog.
    public private(set) var runsPrograms: Set<String> = []

    public init(_ probes: [any Probe.Type] = []) {
        for probe in probes { register(probe) }
    }

    public mutating func register(_ probe: any Probe.Type) {
        precondition(types[probe.spec.type] == nil, "probe type '\(probe.spec.type)' registered twice")
        types[probe.spec.type] = probe
        if probe is any BoundedProbe.Type { bounded.insert(probe.spec.type) }
        if probe is any ProgramRunningProbe.Type { runsPrograms.insert(probe.spec.type) }
    }

    public subscript(type: String) -> (any Probe.Type)? { types[type] }

    /// Probe types sorted by name.
    public var sorted: [any Probe.Type] { types.keys.sorted().compactMap { types[$0] } }
}
