public import DoctorCore

/// Every probe that ships with doctor, sorted by type name. A test checks this list against the files in
/// `Sources/DoctorProbes`, the schema fragments and the reference pages.
public enum BuiltInProbes {
    public static let all: [any Probe.Type] = [
        AuditChainProbe.self,
        CapabilitiesProbe.self,
        DBusProbe.self,
        EnvProbe.self,
        ExecProbe.self,
        FileProbe.self,
        InstallationProbe.self,
        JSONProbe.self,
        JournalProbe.self,
        KernelProbe.self,
        NoiseIKProbe.self,
        ProcessProbe.self,
        SQLCipherProbe.self,
        SystemdUnitProbe.self,
        TOMLProbe.self,
        UnixSocketProbe.self,
        VaultPolicyProbe.self,
        WaylandProbe.self,
    ]

    /// A registry with every built-in probe.
    public static var registry: ProbeRegistry { ProbeRegistry(all) }
}
