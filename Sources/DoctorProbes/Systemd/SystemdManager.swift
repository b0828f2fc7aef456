import CSystemd
import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// systemd's service manager read over D-Bus (`org.freedesktop.systemd1`), as `systemctl show` reads it, without
/// parsing any `systemctl` output. Shared by the `systemd-unit` probe and by probes that take a unit's MainPID.
struct SystemdManager {
    static let destination = "org.freedesktop.systemd1"
    static let unitInterface = "org.freedesktop.systemd1.Unit"

    /// Which manager: the user's (on the session bus) or the system's.
    enum Scope: String {
        case user, system
    }

    /// A unit's properties, as the manager reports them.
    struct Unit {
        var name: String
        var path: String
        var properties: [String: Value]
        var isNotFound: Bool { properties["LoadState"]?.asString == "not-found" }
    }

    let client: DBusClient
    let scope: Scope

    init(scope: Scope, address: String?, variables: Variables) throws(ProbeError) {
        self.scope = scope
        if let address, !address.isEmpty {
            client = try DBusClient(.address(address), variables: variables)
        } else {
            client = try DBusClient(scope == .user ? .session : .system, variables: variables)
        }
    }

    var name: String { "\(scope.rawValue) manager" }

    /// The object path of a unit, with systemd's escaping (`-` → `_2d`, `.` → `_2e`).
    static func path(of unit: String) throws(ProbeError) -> String {
        var encoded: UnsafeMutablePointer<CChar>?
        let rc = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &encoded)
        guard rc >= 0, let encoded else { throw ProbeError("cannot encode the unit name '\(unit)': \(DBusClient.text(rc))") }
        defer { free(encoded) }
        return String(cString: encoded)
    }

    /// The D-Bus interface holding the type-specific properties (`MainPID`, `Restart`, ...) of a unit:
    /// `org.freedesktop.systemd1.Service` for `x.service`.
    static func typeInterface(of unit: String) -> String? {
        guard let dot = unit.lastIndex(of: "."), unit.index(after: dot) < unit.endIndex else { return nil }
        let suffix = unit[unit.index(after: dot)...]
        guard ["service", "socket", "mount", "automount", "swap", "timer", "path", "slice", "scope"].contains(suffix) else { return nil }
        return "org.freedesktop.systemd1." + suffix.prefix(1).uppercased() + suffix.dropFirst()
    }

    /// D-Bus errors that mean "this object or unit is not there" rather than "the manager is broken".
    static let absentErrors: Set<String> = [
        "org.freedesktop.DBus.Error.UnknownObject", "org.freedesktop.DBus.Error.UnknownInterface",
        "org.freedesktop.DBus.Error.UnknownMethod", "org.freedesktop.systemd1.NoSuchUnit",
    ]

    /// Reads a unit's generic properties and, when `typeSpecific` is set, those of its type's interface.
    ///
    /// The path is computed as systemd does; real systemd answers for any unit name there (loading it, so a
    /// missing unit reads `LoadState: not-found`). When the object is unknown (managers that do not synthesize
    /// unloaded units), the path is asked of `Manager.GetUnit`; `NoSuchUnit` there is a unit that is not found,
    /// reported with the values systemd gives such units.
    func unit(_ name: String, typeSpecific: Bool, deadline: ContinuousClock.Instant) throws(ProbeError) -> Unit {
        var path = try SystemdManager.path(of: name)
        var properties: [String: Value]
        do {
            properties = try client.properties(destination: SystemdManager.destination, path: path, interface: SystemdManager.unitInterface, deadline: deadline)
        } catch let failure where failure.name.map(SystemdManager.absentErrors.contains) == true {
            do {
                path = try client.call(
                    destination: SystemdManager.destination, path: "/org/freedesktop/systemd1", interface: "org.freedesktop.systemd1.Manager",
                    member: "GetUnit", arguments: [.string(name, CChar(UInt8(ascii: "s")))], deadline: deadline, read: DBusClient.readObjectPath)
            } catch let failure where failure.name == "org.freedesktop.systemd1.NoSuchUnit" {
                return Unit(name: name, path: path, properties: [
                    "Id": .string(name), "LoadState": .string("not-found"), "ActiveState": .string("inactive"), "SubState": .string("dead"),
                ])
            } catch {
                throw error.probeError
            }
            do {
                properties = try client.properties(destination: SystemdManager.destination, path: path, interface: SystemdManager.unitInterface, deadline: deadline)
            } catch {
                throw error.probeError
            }
        } catch {
            throw error.probeError
        }
        var unit = Unit(name: name, path: path, properties: properties)
        if typeSpecific, !unit.isNotFound, let interface = SystemdManager.typeInterface(of: name) {
            do {
                let specific = try client.properties(destination: SystemdManager.destination, path: path, interface: interface, deadline: deadline)
                unit.properties.merge(specific) { generic, _ in generic }
            } catch let failure where failure.name.map(SystemdManager.absentErrors.contains) == true {
                // The unit has no properties of its type here (a mock that models only the Unit interface).
            } catch {
                throw error.probeError
            }
        }
        return unit
    }

    /// The MainPID of a service: nil with the reason when the unit is missing or has no main process.
    func mainPID(of name: String, deadline: ContinuousClock.Instant) throws(ProbeError) -> (pid: Int32?, reason: String?) {
        let unit = try unit(name, typeSpecific: true, deadline: deadline)
        if unit.isNotFound { return (nil, "unit \(name) not found on the \(self.name)") }
        guard let pid = unit.properties["MainPID"]?.asInt else { return (nil, "unit \(name) has no MainPID (not a service?)") }
        guard pid > 0, let pid32 = Int32(exactly: pid) else {
            let state = unit.properties["ActiveState"]?.asString ?? "unknown"
            return (nil, "unit \(name) has no main process (ActiveState \(state))")
        }
        return (pid32, nil)
    }
}
