public import DoctorCore

/// A D-Bus bus and the names on it: is the bus reachable, does a name have an owner, is it activatable; a
/// property of an object, or the reply of a read-only method.
public struct DBusProbe: Probe {
    enum Parameter {
        static let bus = ParameterKey.enumeration("bus", ["session", "system"], default: "session", "Which bus.")
        static let address = ParameterKey.string("address", "An explicit bus address (e.g. `unix:path=/run/user/1000/bus`); overrides `bus`.")
        static let name = ParameterKey.string("name", "A bus name to look up (e.g. `org.freedesktop.secrets`).")
        static let object = ParameterKey.string("object", "An object path of `name` (e.g. `/org/freedesktop/portal/desktop`).")
        static let interface = ParameterKey.string("interface", "The interface of `property` or `method`.")
        static let property = ParameterKey.string("property", "A property to read into `value`.")
        static let method = ParameterKey.string("method", "A read-only method to call; its reply goes into `value`.")
        static let signature = ParameterKey.string("signature", default: "", "The D-Bus types of `arguments`, one character each (e.g. `ss`).")
        static let arguments = ParameterKey.strings("arguments", "The method's arguments, as text parsed by `signature`.")
    }

    enum Observed {
        static let reachable = ObservationKey("reachable", .bool, "The bus accepted the connection and answered.")
        static let owned = ObservationKey("owned", .bool, "The name has an owner now.")
        static let owner = ObservationKey("owner", .string, "The unique name (`:1.42`) of the name's owner.")
        static let activatable = ObservationKey("activatable", .bool, "The bus can activate a service for the name.")
        static let value = ObservationKey("value", .dynamic, "The property's value or the method's reply.")
    }

    public static let spec = ProbeSpec(
        type: "dbus",
        summary: "A D-Bus bus answers; a name has an owner or can be activated; a property or a read-only call has the expected value.",
        discussion: """
            Connects with libsystemd's sd-bus to the session bus (`DBUS_SESSION_BUS_ADDRESS`, else \
            `$XDG_RUNTIME_DIR/bus`), the system bus (`DBUS_SYSTEM_BUS_ADDRESS`, else \
            `/run/dbus/system_bus_socket`) or the `address` given, and asks the bus driver. Every call is bounded \
            by the check's deadline. No bus at all is observed at once as `reachable: false` with the reason; it \
            does not wait for the timeout.

            With `name`, say what you expect of it: `owned: true` (a process holds the name now) or \
            `activatable: true` (the bus can start a service for it). Without an `expect` block the check \
            expects `reachable: true`.

            With `name`, `object` and `interface`, the probe reads one `property` \
            (`org.freedesktop.DBus.Properties.Get`) or calls one `method` with `arguments` typed by \
            `signature` (basic types only: `s o g b y n q i u x t d`), and observes the result as `value`: a \
            number, boolean, string, or a list for arrays, structs and several reply values (dictionary \
            entries read as `key=value`). Only read-only methods may be called: names that start with \
            `Get`, `List`, `Read`, `Query`, `Is`, `Has`, `Can`, `Lookup`, or are `Ping` or `Introspect`. \
            Calling a name that is activatable starts its service, as any client would.
            """,
        parameters: [
            Parameter.bus, Parameter.address, Parameter.name, Parameter.object, Parameter.interface, Parameter.property,
            Parameter.method, Parameter.signature, Parameter.arguments,
        ],
        observations: [Observed.reachable, Observed.owned, Observed.owner, Observed.activatable, Observed.value],
        defaultExpect: "{reachable: true}",
        examples: [
            ProbeExample("The session bus answers", """
                id: platform-dbus-session
                title: The session bus answers
                category: platform-integration
                severity: medium
                probe: {type: dbus}
                remediation: Log in through a session manager that starts the user's D-Bus (dbus-user-session).
                """,
                .pass()),
            ProbeExample("The desktop portal is running", """
                id: platform-portal-running
                title: xdg-desktop-portal is running
                category: platform-integration
                severity: low
                probe: {type: dbus, name: org.freedesktop.portal.Desktop}
                expect: {owned: true}
                """,
                .fail("org.freedesktop.portal.Desktop has no owner (expected owned == true)"),
                .pass(on: .graphical)),
            ProbeExample("The Secret Service is running", """
                id: platform-secret-service
                title: A Secret Service owns org.freedesktop.secrets
                category: platform-integration
                severity: medium
                probe: {type: dbus, name: org.freedesktop.secrets}
                expect: {owned: {eq: true, warn_if: {eq: false}}}
                """,
                .pass()),
            ProbeExample("The portal offers GlobalShortcuts", """
                id: platform-portal-global-shortcuts
                title: The desktop portal implements GlobalShortcuts
                category: platform-integration
                severity: low
                probe:
                  type: dbus
                  name: org.freedesktop.portal.Desktop
                  object: /org/freedesktop/portal/desktop
                  interface: org.freedesktop.portal.GlobalShortcuts
                  property: version
                expect: {value: {ge: 1}}
                """,
                .fail(on: .graphical, containing: "No such interface “org.freedesktop.portal.GlobalShortcuts”")),
            ProbeExample("A read-only call with typed arguments", """
                id: platform-secret-service-owner
                title: The bus driver names the Secret Service's owner
                category: platform-integration
                severity: info
                probe:
                  type: dbus
                  name: org.freedesktop.DBus
                  object: /org/freedesktop/DBus
                  interface: org.freedesktop.DBus
                  method: GetNameOwner
                  signature: s
                  arguments: [org.freedesktop.secrets]
                expect: {value: {matches: "^:[0-9]+\\\\.[0-9]+$"}}
                """,
                .pass()),
            ProbeExample("A portal call its backends do not offer", """
                id: platform-portal-color-scheme
                title: The portal answers a settings read
                category: platform-integration
                severity: info
                probe:
                  type: dbus
                  name: org.freedesktop.portal.Desktop
                  object: /org/freedesktop/portal/desktop
                  interface: org.freedesktop.portal.Settings
                  method: Read
                  signature: ss
                  arguments: [org.freedesktop.appearance, color-scheme]
                expect: {value: [0, 1, 2]}
                """,
                .fail(on: .graphical, containing: "No such interface “org.freedesktop.portal.Settings”")),
        ])

    /// Method name prefixes taken to be read-only.
    static let readOnlyPrefixes = ["Get", "List", "Read", "Query", "Is", "Has", "Can", "Lookup"]

    enum Access {
        case property(String)
        case method(String, [DBusMessage.Argument])
    }

    let bus: DBusClient.Bus
    let name: String?
    let target: (object: String, interface: String, access: Access)?

    public init(parameters: Parameters) throws(ProbeError) {
        if let address = parameters[Parameter.address], !address.isEmpty {
            bus = .address(address)
        } else {
            bus = parameters[Parameter.bus] == "system" ? .system : .session
        }
        name = parameters[Parameter.name]
        if let name, name.isEmpty { throw ProbeError("'name' is empty") }
        let property = parameters[Parameter.property], method = parameters[Parameter.method]
        guard property != nil || method != nil else {
            let extras: [any ParameterDeclaration] = [Parameter.object, Parameter.interface, Parameter.signature, Parameter.arguments]
            for extra in extras where parameters.contains(extra) {
                throw ProbeError("'\(extra.spec.name)' needs 'property' or 'method'")
            }
            target = nil
            return
        }
        guard property == nil || method == nil else { throw ProbeError("give 'property' or 'method', not both") }
        guard name != nil, let object = parameters[Parameter.object], let interface = parameters[Parameter.interface] else {
            throw ProbeError("reading a property or calling a method needs 'name', 'object' and 'interface'")
        }
        guard object.hasPrefix("/") else { throw ProbeError("'object' must be an object path such as /org/freedesktop/portal/desktop") }
        if let property {
            target = (object, interface, .property(property))
        } else if let method {
            guard method == "Ping" || method == "Introspect" || DBusProbe.readOnlyPrefixes.contains(where: { method.hasPrefix($0) }) else {
                throw ProbeError("refusing to call '\(method)': only read-only methods may be called (names starting with \(DBusProbe.readOnlyPrefixes.joined(separator: ", ")), or Ping, Introspect)")
            }
            let signature = Array(parameters[Parameter.signature])
            let texts = parameters[Parameter.arguments] ?? []
            guard signature.count == texts.count else {
                throw ProbeError("'signature' has \(signature.count) type(s) for \(texts.count) argument(s)")
            }
            var arguments: [DBusMessage.Argument] = []
            for (text, code) in zip(texts, signature) { arguments.append(try DBusMessage.Argument(text, type: code)) }
            target = (object, interface, .method(method, arguments))
        } else {
            target = nil
        }
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        let subject = name.map { "\($0) on the \(bus.name)" } ?? "the \(bus.name)"
        let client: DBusClient
        do {
            client = try DBusClient(bus, variables: context.variables)
            _ = try client.busID(deadline: context.deadline)
        } catch {
            return ProbeOutput(observations: [Observation(subject: subject, values: [Observed.reachable: .bool(false)], missingReason: error.message)])
        }
        var values: ObservedValues = [Observed.reachable: .bool(true)]
        var missingReason: String?
        if let name {
            let owned = try client.hasOwner(name, deadline: context.deadline)
            if !owned { missingReason = "\(name) has no owner" }
            values[Observed.owned] = .bool(owned)
            if owned, context.wants(Observed.owner) { values[Observed.owner] = .string(try client.owner(name, deadline: context.deadline)) }
            if context.wants(Observed.activatable) {
                values[Observed.activatable] = .bool(try client.activatableNames(deadline: context.deadline).contains(name))
            }
            if let target {
                do {
                    switch target.access {
                    case .property(let property):
                        values[Observed.value] = try client.property(destination: name, path: target.object, interface: target.interface, name: property, deadline: context.deadline)
                    case .method(let method, let arguments):
                        let reply = try client.call(destination: name, path: target.object, interface: target.interface, member: method, arguments: arguments, deadline: context.deadline, read: DBusMessage.readAll)
                        values[Observed.value] = reply.count == 1 ? reply[0] : .list(reply)
                    }
                } catch {
                    // An error reply (no such property, interface or object) is an answer: the value is missing.
                    // No answer at all is the probe failing to run.
                    guard error.name != nil else { throw error.probeError }
                    missingReason = error.message
                }
            }
        }
        return ProbeOutput(observations: [Observation(subject: subject, values: values, missingReason: missingReason)])
    }
}
