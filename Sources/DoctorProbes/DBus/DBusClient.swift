import CSystemd
import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// The one D-Bus client of the probes, on libsystemd's sd-bus. Every call is bounded by the check's deadline
/// (sd-bus's own method-call timeout); connecting fails fast when there is no bus. A connection is used by one
/// probe run, on that probe's thread, and closed at the end.
final class DBusClient {
    /// Which bus: the session (user) bus, the system bus, or an explicit address.
    enum Bus: Equatable {
        case session
        case system
        case address(String)

        var name: String {
            switch self {
            case .session: "session bus"
            case .system: "system bus"
            case .address(let address): "bus at \(address)"
            }
        }
    }

    private var bus: OpaquePointer?
    let target: Bus
    /// The address actually used, for messages.
    let address: String

    /// Connects. The session bus comes from `DBUS_SESSION_BUS_ADDRESS`, else `$XDG_RUNTIME_DIR/bus`; the system
    /// bus from `DBUS_SYSTEM_BUS_ADDRESS`, else `/run/dbus/system_bus_socket`.
    init(_ target: Bus, variables: Variables) throws(ProbeError) {
        self.target = target
        switch target {
        case .address(let explicit): address = explicit
        case .session:
            if let explicit = variables["DBUS_SESSION_BUS_ADDRESS"], !explicit.isEmpty {
                address = explicit
            } else if let runtime = variables["XDG_RUNTIME_DIR"], !runtime.isEmpty {
                address = "unix:path=\(runtime)/bus"
            } else {
                throw ProbeError("no session bus: neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set")
            }
        case .system:
            address = variables["DBUS_SYSTEM_BUS_ADDRESS"].flatMap { $0.isEmpty ? nil : $0 } ?? "unix:path=/run/dbus/system_bus_socket"
        }
        var handle: OpaquePointer?
        var rc = sd_bus_new(&handle)
        guard rc >= 0, let handle else { throw ProbeError("cannot create a D-Bus connection: \(DBusClient.text(rc))") }
        bus = handle
        rc = sd_bus_set_address(handle, address)
        if rc >= 0 { rc = sd_bus_set_bus_client(handle, 1) }
        if rc >= 0 { rc = sd_bus_start(handle) }
        guard rc >= 0 else {
            throw ProbeError("cannot connect to the \(target.name) (\(address)): \(DBusClient.text(rc))")
        }
    }

    deinit {
        if let bus { sd_bus_flush_close_unref(bus) }
    }

    static func text(_ rc: Int32) -> String { String(cString: strerror(-rc)) }

    /// Microseconds left before `deadline` (at least 1 ms, so an expired deadline still fails in sd-bus).
    static func timeout(_ deadline: ContinuousClock.Instant) -> UInt64 {
        let left = deadline - .now
        let micros = left.components.seconds * 1_000_000 + left.components.attoseconds / 1_000_000_000_000
        return UInt64(max(1000, micros))
    }

    /// A failed call: the D-Bus error name when the peer answered with an error (e.g.
    /// `org.freedesktop.systemd1.NoSuchUnit`), and a message that names the call.
    struct Failure: Error {
        var name: String?
        var message: String
        var probeError: ProbeError { ProbeError(message) }
    }

    /// Calls a method of the bus driver (`org.freedesktop.DBus`) with one string argument and decodes the reply.
    private func callDriver<T>(_ member: String, argument: String?, deadline: ContinuousClock.Instant, read: (OpaquePointer) throws(ProbeError) -> T) throws(ProbeError) -> T {
        do {
            return try call(destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus", member: member, arguments: argument.map { [.string($0, CChar(UInt8(ascii: "s")))] } ?? [], deadline: deadline, read: read)
        } catch {
            throw error.probeError
        }
    }

    /// Calls a method; `read` decodes the reply. The call is bounded by `deadline`; errors name the call.
    func call<T>(destination: String, path: String, interface: String, member: String, arguments: [DBusMessage.Argument], deadline: ContinuousClock.Instant, read: (OpaquePointer) throws(ProbeError) -> T) throws(Failure) -> T {
        var message: OpaquePointer?
        var rc = sd_bus_message_new_method_call(bus, &message, destination, path, interface, member)
        guard rc >= 0, let message else { throw Failure(message: "cannot build the call \(interface).\(member) to \(path): \(DBusClient.text(rc))") }
        defer { sd_bus_message_unref(message) }
        for argument in arguments {
            rc = argument.append(to: message)
            guard rc >= 0 else { throw Failure(message: "cannot build the call \(interface).\(member): \(DBusClient.text(rc))") }
        }
        var error = sd_bus_error()
        var reply: OpaquePointer?
        rc = sd_bus_call(bus, message, DBusClient.timeout(deadline), &error, &reply)
        defer {
            sd_bus_error_free(&error)
            if let reply { sd_bus_message_unref(reply) }
        }
        guard rc >= 0, let reply else {
            if rc == -ETIMEDOUT { throw Failure(message: "\(interface).\(member) on \(destination) did not answer before the deadline") }
            let name = error.name.map { String(cString: $0) }
            let text = error.message.map { String(cString: $0) } ?? DBusClient.text(rc)
            throw Failure(name: name, message: "\(interface).\(member) on \(destination) failed: \(name ?? "error"): \(text)")
        }
        do {
            return try read(reply)
        } catch {
            throw Failure(message: "\(interface).\(member) on \(destination): \(error.message)")
        }
    }

    /// One property (`org.freedesktop.DBus.Properties.Get`).
    func property(destination: String, path: String, interface: String, name: String, deadline: ContinuousClock.Instant) throws(Failure) -> Value {
        let s = CChar(UInt8(ascii: "s"))
        return try call(destination: destination, path: path, interface: "org.freedesktop.DBus.Properties", member: "Get", arguments: [.string(interface, s), .string(name, s)], deadline: deadline) { (reply) throws(ProbeError) -> Value in
            try DBusMessage.readValue(reply) ?? .null
        }
    }

    /// Every property of an interface (`org.freedesktop.DBus.Properties.GetAll`).
    func properties(destination: String, path: String, interface: String, deadline: ContinuousClock.Instant) throws(Failure) -> [String: Value] {
        try call(destination: destination, path: path, interface: "org.freedesktop.DBus.Properties", member: "GetAll", arguments: [.string(interface, CChar(UInt8(ascii: "s")))], deadline: deadline, read: DBusMessage.readProperties)
    }

    static func readBool(_ reply: OpaquePointer) throws(ProbeError) -> Bool {
        var value: Int32 = 0
        let rc = sd_bus_message_read_basic(reply, CChar(UInt8(ascii: "b")), &value)
        guard rc > 0 else { throw ProbeError("unexpected reply: expected a boolean") }
        return value != 0
    }

    static func readString(_ reply: OpaquePointer) throws(ProbeError) -> String {
        var value: UnsafePointer<CChar>?
        let rc = sd_bus_message_read_basic(reply, CChar(UInt8(ascii: "s")), &value)
        guard rc > 0, let value else { throw ProbeError("unexpected reply: expected a string") }
        return String(cString: value)
    }

    static func readObjectPath(_ reply: OpaquePointer) throws(ProbeError) -> String {
        var value: UnsafePointer<CChar>?
        let rc = sd_bus_message_read_basic(reply, CChar(UInt8(ascii: "o")), &value)
        guard rc > 0, let value else { throw ProbeError("unexpected reply: expected an object path") }
        return String(cString: value)
    }

    static func readStringArray(_ reply: OpaquePointer) throws(ProbeError) -> [String] {
        guard sd_bus_message_enter_container(reply, CChar(UInt8(ascii: "a")), "s") > 0 else {
            throw ProbeError("unexpected reply: expected an array of strings")
        }
        var out: [String] = []
        while true {
            var value: UnsafePointer<CChar>?
            let rc = sd_bus_message_read_basic(reply, CChar(UInt8(ascii: "s")), &value)
            if rc == 0 { break }
            guard rc > 0, let value else { throw ProbeError("unexpected reply: bad string in array") }
            out.append(String(cString: value))
        }
        sd_bus_message_exit_container(reply)
        return out
    }

    /// The bus's unique id (`org.freedesktop.DBus.GetId`): proves the bus answers.
    func busID(deadline: ContinuousClock.Instant) throws(ProbeError) -> String {
        try callDriver("GetId", argument: nil, deadline: deadline, read: DBusClient.readString)
    }

    func hasOwner(_ name: String, deadline: ContinuousClock.Instant) throws(ProbeError) -> Bool {
        try callDriver("NameHasOwner", argument: name, deadline: deadline, read: DBusClient.readBool)
    }

    func owner(_ name: String, deadline: ContinuousClock.Instant) throws(ProbeError) -> String {
        try callDriver("GetNameOwner", argument: name, deadline: deadline, read: DBusClient.readString)
    }

    func activatableNames(deadline: ContinuousClock.Instant) throws(ProbeError) -> [String] {
        try callDriver("ListActivatableNames", argument: nil, deadline: deadline, read: DBusClient.readStringArray)
    }
}

