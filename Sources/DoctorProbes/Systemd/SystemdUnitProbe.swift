public import DoctorCore

/// A systemd unit's state and settings, read from the service manager over D-Bus.
public struct SystemdUnitProbe: Probe {
    enum Parameter {
        static let unit = ParameterKey.string("unit", "The unit, e.g. `open-sesame-secrets.service`.")
        static let units = ParameterKey.strings("units", "Several units; every expectation applies to each.")
        static let manager = ParameterKey.enumeration("manager", ["user", "system"], default: "user", "Which service manager.")
        static let address = ParameterKey.string("address", "An explicit bus address for the manager; overrides the bus `manager` selects.")
        static let properties = ParameterKey.strings("properties", "Other D-Bus properties to observe (e.g. `ProtectSystem`), usable as names in `expect`.")
    }

    /// The observations, each named after the D-Bus property it reads, and whether that property is on the
    /// unit type's interface rather than on every unit's.
    static let known: [(key: ObservationKey, typeSpecific: Bool)] = [
        (ObservationKey("LoadState", .string, "`loaded`, `not-found`, `masked`, `error`, `bad-setting`."), false),
        (ObservationKey("ActiveState", .string, "`active`, `inactive`, `failed`, `activating`, `deactivating`, `reloading`."), false),
        (ObservationKey("SubState", .string, "The type-specific state: `running`, `dead`, `failed`, `exited`, `auto-restart`, ..."), false),
        (ObservationKey("MainPID", .integer, "The main process id (0 when there is none)."), true),
        (ObservationKey("NRestarts", .integer, "How often the manager restarted the service since it was loaded."), true),
        (ObservationKey("Type", .string, "The service type: `simple`, `exec`, `forking`, `oneshot`, `notify`, `dbus`, `idle`."), true),
        (ObservationKey("Restart", .string, "The restart policy: `no`, `on-failure`, `always`, ..."), true),
        (ObservationKey("WatchdogUSec", .duration, "The watchdog interval (`0s`: no watchdog)."), true),
        (ObservationKey("MemoryMax", .byteSize, "The memory limit (`infinity`: none)."), true),
        (ObservationKey("LimitMEMLOCK", .byteSize, "The locked-memory limit, soft (`infinity`: none)."), true),
        (ObservationKey("LimitCORE", .byteSize, "The core-dump size limit, soft (`0`: no core dumps)."), true),
        (ObservationKey("PrivateNetwork", .bool, "Whether the unit runs in a network namespace of its own."), true),
    ]

    public static let spec = ProbeSpec(
        type: "systemd-unit",
        summary: "A systemd unit is loaded, active and configured as expected, read from the manager over D-Bus.",
        discussion: """
            Reads the unit's properties from `org.freedesktop.systemd1` with libsystemd's sd-bus, as `systemctl \
            show` would, without running `systemctl`. The user manager (on the session bus) is the default, since \
            Open Sesame's daemons are user units; `manager: system` reads the system manager, and `address` any \
            bus. Every call is bounded by the check's deadline.

            A unit that does not exist is observed as `LoadState: not-found` (`ActiveState: inactive`, \
            `SubState: dead`), as systemd reports it, not as an error. `units` checks several units with the same \
            expectations, one result line per unit. Any other property of the unit or of its type's interface \
            (`org.freedesktop.systemd1.Service` for a service) can be expected on after naming it in \
            `properties`; it is typed as D-Bus gives it (numbers, booleans, strings, lists).

            Durations are read from microseconds and sizes from bytes; systemd's `UINT64_MAX` reads as \
            `infinity`, so `MemoryMax: {ne: infinity}` asks for a limit.
            """,
        parameters: [Parameter.unit, Parameter.units, Parameter.manager, Parameter.address, Parameter.properties],
        exactlyOneOf: [[Parameter.unit, Parameter.units]],
        observations: known.map(\.key),
        namedObservations: Parameter.properties,
        defaultExpect: "{LoadState: loaded, ActiveState: active}",
        examples: [
            ProbeExample("A daemon is running", """
                id: daemon-secrets-active
                title: The secrets daemon is running
                category: daemon-liveness
                severity: critical
                probe: {type: systemd-unit, unit: open-sesame-secrets.service}
                expect: {LoadState: loaded, ActiveState: active, SubState: running}
                remediation: systemctl --user enable --now open-sesame-secrets.service
                """,
                .pass()),
            ProbeExample("Every headless daemon, with a watchdog and few restarts", """
                id: daemon-headless-healthy
                title: The headless daemons are up, watched, and not flapping
                category: daemon-liveness
                severity: high
                probe:
                  type: systemd-unit
                  units: [open-sesame-profile.service, open-sesame-secrets.service, open-sesame-launcher.service, open-sesame-snippets.service]
                expect:
                  ActiveState: active
                  WatchdogUSec: {gt: 0s}
                  NRestarts: {warn_if: {gt: 0}, fail_if: {gt: 5}}
                """,
                .pass(),
                .fail(on: .broken, #"open-sesame-profile.service: WatchdogUSec is 0s, expected > 0s; open-sesame-launcher.service: ActiveState is "failed", expected == "active""#)),
            ProbeExample("Memory posture of the secrets daemon, with a property named by the check", """
                id: daemon-secrets-memory-limits
                title: The secrets daemon may lock memory, cannot dump core, and is sandboxed
                category: crypto-posture
                severity: high
                probe: {type: systemd-unit, unit: open-sesame-secrets.service, properties: [NoNewPrivileges]}
                expect: {LimitMEMLOCK: {ge: 64M}, LimitCORE: 0, MemoryMax: {ne: infinity}, NoNewPrivileges: true}
                """,
                .pass()),
        ])

    let units: [String]
    let scope: SystemdManager.Scope
    let address: String?
    let named: [String]

    public init(parameters: Parameters) throws(ProbeError) {
        if let unit = parameters[Parameter.unit] {
            units = [unit]
        } else {
            units = parameters[Parameter.units] ?? []
        }
        if units.isEmpty { throw ProbeError("'units' is empty") }
        if let blank = units.first(where: { $0.isEmpty || $0.contains("/") }) {
            throw ProbeError("'\(blank)' is not a unit name")
        }
        scope = parameters[Parameter.manager] == "system" ? .system : .user
        address = parameters[Parameter.address]
        named = parameters[Parameter.properties] ?? []
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        let manager = try SystemdManager(scope: scope, address: address, variables: context.variables)
        let typeSpecific = !named.isEmpty || SystemdUnitProbe.known.contains { $0.typeSpecific && context.wants($0.key) }
        var observations: [Observation] = []
        observations.reserveCapacity(units.count)
        for name in units {
            if Task.isCancelled { throw ProbeError("cancelled") }
            let unit = try manager.unit(name, typeSpecific: typeSpecific, deadline: context.deadline)
            var values = ObservedValues()
            for (key, _) in SystemdUnitProbe.known {
                guard let raw = unit.properties[key.name] else { continue }
                values[key] = SystemdUnitProbe.typed(raw, key.type)
            }
            for property in named {
                if let raw = unit.properties[property] { values[dynamic: property] = raw }
            }
            let reason = unit.isNotFound ? "not found on the \(manager.name)" : nil
            observations.append(Observation(subject: name, values: values, missingReason: reason))
        }
        return ProbeOutput(observations: observations)
    }

    /// Converts a D-Bus value to an observation's declared type: microseconds to seconds for durations.
    static func typed(_ raw: Value, _ type: ValueType) -> Value {
        switch (type, raw) {
        case (.duration, .int(let micros)): micros == ByteSize.infinity ? .double(.infinity) : .double(Double(micros) / 1e6)
        default: raw
        }
    }
}
