public import DoctorCore

/// A D-Bus bus and the names on it: is the bus reachable, does a name have an owner, is it activatable.
public struct DBusProbe: Probe {
    public static let spec = ProbeSpec(
        type: "dbus",
        summary: "A D-Bus bus answers; a name on it has an owner or can be activated.",
        discussion: """
            Connects with libsystemd's sd-bus to the session bus (`DBUS_SESSION_BUS_ADDRESS`, else \
            `$XDG_RUNTIME_DIR/bus`), the system bus (`DBUS_SYSTEM_BUS_ADDRESS`, else \
            `/run/dbus/system_bus_socket`) or the `address` given, and asks the bus driver. Every call is bounded \
            by the check's deadline. No bus at all is observed at once as `reachable: false` with the reason; it \
            does not wait for the timeout.

            With `name`, say what you expect of it: `owned: true` (a process holds the name now) or \
            `activatable: true` (the bus can start a service for it). Without an `expect` block the check \
            expects `reachable: true`.
            """,
        parameters: [
            ParameterSpec("bus", .enumeration(["session", "system"]), default: "session", "Which bus."),
            ParameterSpec("address", .string, "An explicit bus address (e.g. `unix:path=/run/user/1000/bus`); overrides `bus`."),
            ParameterSpec("name", .string, "A bus name to look up (e.g. `org.freedesktop.secrets`)."),
        ],
        observations: [
            ObservationSpec("reachable", .bool, "The bus accepted the connection and answered."),
            ObservationSpec("owned", .bool, "The name has an owner now."),
            ObservationSpec("owner", .string, "The unique name (`:1.42`) of the name's owner."),
            ObservationSpec("activatable", .bool, "The bus can activate a service for the name."),
        ],
        defaultExpect: "{reachable: true}",
        examples: [
            ProbeExample("The session bus answers", """
                id: platform-dbus-session
                title: The session bus answers
                category: platform-integration
                severity: medium
                probe: {type: dbus}
                remediation: Log in through a session manager that starts the user's D-Bus (dbus-user-session).
                """),
            ProbeExample("The desktop portal can be reached", """
                id: platform-portal-reachable
                title: xdg-desktop-portal is running or can be activated
                category: platform-integration
                severity: low
                probe: {type: dbus, name: org.freedesktop.portal.Desktop}
                expect: {activatable: true}
                """),
            ProbeExample("The Secret Service is running", """
                id: platform-secret-service
                title: A Secret Service owns org.freedesktop.secrets
                category: platform-integration
                severity: medium
                probe: {type: dbus, name: org.freedesktop.secrets}
                expect: {owned: {eq: true, warn_if: {eq: false}}}
                """),
        ])

    let bus: DBusClient.Bus
    let name: String?

    public init(parameters: Parameters) throws(ProbeError) {
        if let address = parameters.string("address"), !address.isEmpty {
            bus = .address(address)
        } else {
            bus = parameters.string("bus") == "system" ? .system : .session
        }
        name = parameters.string("name")
        if let name, name.isEmpty { throw ProbeError("'name' is empty") }
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        let subject = name.map { "\($0) on the \(bus.name)" } ?? "the \(bus.name)"
        let client: DBusClient
        do {
            client = try DBusClient(bus, variables: context.variables)
            _ = try client.busID(deadline: context.deadline)
        } catch {
            return ProbeOutput(observations: [Observation(subject: subject, values: ["reachable": .bool(false)], missingReason: error.message)])
        }
        var values: ObservedValues = ["reachable": .bool(true)]
        var missingReason: String?
        if let name {
            let owned = try client.hasOwner(name, deadline: context.deadline)
            if !owned { missingReason = "\(name) has no owner" }
            values["owned"] = .bool(owned)
            if owned, context.wants("owner") { values["owner"] = .string(try client.owner(name, deadline: context.deadline)) }
            if context.wants("activatable") {
                values["activatable"] = .bool(try client.activatableNames(deadline: context.deadline).contains(name))
            }
        }
        return ProbeOutput(observations: [Observation(subject: subject, values: values, missingReason: missingReason)])
    }
}
