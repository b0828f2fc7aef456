import CWayland
public import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// The Wayland compositor of the session: its socket, and every global it advertises with its version, read with
/// libwayland-client in one registry roundtrip bounded by the deadline.
public struct WaylandProbe: Probe {
    enum Parameter {
        static let socket = ParameterKey.string("socket", "The compositor's socket (default: `$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY`).")
        static let require = ParameterKey.map("require", of: .integer, "Interfaces that must be advertised, with their minimum versions.")
        static let requireAny = ParameterKey.value("require_any", .list(.map(.integer)), "Sets of interfaces with minimum versions; one set must be met in full.")
        static let optional = ParameterKey.strings("optional", "Interfaces to report without requiring them.")
    }

    enum Observed {
        static let connected = ObservationKey("connected", .bool, "The compositor accepted the connection and answered the roundtrip.")
        static let globals = ObservationKey("globals", .list(.string), "Every global as `interface vVERSION`, in the compositor's order.")
        static let globalCount = ObservationKey("global_count", .integer, "How many globals the compositor advertises.")
        static let missing = ObservationKey("missing", .list(.string), "Unmet requirements: `name` (absent) or `name v2 < 3` (too old), and unmet `require_any`.")
        static let anyOf = ObservationKey("any_of", .string, "The `require_any` set that is met, written as its interfaces (empty when none).")
        static let optionalPresent = ObservationKey("optional_present", .list(.string), "Optional interfaces advertised.")
        static let optionalMissing = ObservationKey("optional_missing", .list(.string), "Optional interfaces not advertised.")
        static let roundtripTime = ObservationKey("roundtrip_time", .duration, "Connect, registry and roundtrip.")
        static let sessionType = ObservationKey("session_type", .string, "`XDG_SESSION_TYPE`.")
        static let socketMode = ObservationKey("socket_mode", .fileMode, "The socket's permission bits.")
        static let socketOwner = ObservationKey("socket_owner", .principal, "The socket's owner.")
    }

    public static let spec = ProbeSpec(
        type: "wayland",
        summary: "The Wayland compositor answers and advertises the protocols (globals, with versions) a check requires.",
        discussion: """
            Connects to `socket`, by default `$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY` (`wayland-0` when unset; an \
            absolute `WAYLAND_DISPLAY` is used as is), within the check's deadline, then with libwayland-client \
            gets the registry and does one roundtrip, also bounded by the deadline. `globals` lists every \
            global as `interface vVERSION`, as `wayland-info` shows them.

            `require` names interfaces with their minimum versions (`{wl_compositor: 4, wl_shm: 1}`); \
            `require_any` is a list of such sets of which one must be met in full (the COSMIC set or the \
            wlroots one); `optional` interfaces are only reported, in `optional_present` and \
            `optional_missing`. Everything unmet goes into `missing`, by name and version, which the default \
            expectation wants empty.

            `session_type` is `XDG_SESSION_TYPE`, and `socket_mode` / `socket_owner` describe the socket \
            (expect `socket_mode: {within: "0700"}` and `socket_owner: ${UID}`). No compositor fails at once \
            with the reason; for hosts without a graphical session, give the check `when: {env: \
            WAYLAND_DISPLAY}` so that it is skipped there.
            """,
        parameters: [Parameter.socket, Parameter.require, Parameter.requireAny, Parameter.optional],
        observations: [
            Observed.connected, Observed.globals, Observed.globalCount, Observed.missing, Observed.anyOf,
            Observed.optionalPresent, Observed.optionalMissing, Observed.roundtripTime, Observed.sessionType,
            Observed.socketMode, Observed.socketOwner,
        ],
        defaultExpect: "{connected: true, missing: {empty: true}}",
        examples: [
            ProbeExample("The compositor offers what daemon-wm needs", """
                id: platform-wayland-protocols
                title: The compositor offers the protocols of the window switcher
                category: platform-integration
                severity: medium
                when: {env: WAYLAND_DISPLAY, reason: not a graphical session}
                probe:
                  type: wayland
                  require: {wl_compositor: 4, wl_shm: 1, wl_seat: 1, zwlr_layer_shell_v1: 1}
                  require_any:
                    - {ext_foreign_toplevel_list_v1: 1, zcosmic_toplevel_info_v1: 2, zcosmic_toplevel_manager_v1: 1}
                    - {zwlr_foreign_toplevel_manager_v1: 1}
                  optional: [ext_background_effect_manager_v1, ext_data_control_manager_v1, zwlr_data_control_manager_v1]
                expect: {connected: true, missing: {empty: true}}
                remediation: Run a compositor with the wlr or COSMIC toplevel protocols (COSMIC, sway, Hyprland, niri, Wayfire).
                """,
                .skip("not a graphical session (WAYLAND_DISPLAY is not set)"),
                .fail(on: .graphical, #"${XDG_RUNTIME_DIR}/wayland-demo: missing is ["wl_seat", "zwlr_layer_shell_v1", "one of: {ext_foreign_toplevel_list_v1, zcosmic_toplevel_info_v1, zcosmic_toplevel_manager_v1} or {zwlr_foreign_toplevel_manager_v1}"], expected empty: true"#)),
            ProbeExample("The session is Wayland and only the user can connect to its socket", """
                id: platform-wayland-session
                title: The session is a Wayland session whose compositor socket only the user can connect to
                category: platform-integration
                severity: medium
                when: {env: WAYLAND_DISPLAY, reason: not a graphical session}
                probe: {type: wayland}
                expect: {connected: true, session_type: wayland, socket_mode: {within: "0755"}, socket_owner: "${UID}"}
                """,
                .skip("not a graphical session (WAYLAND_DISPLAY is not set)"),
                .pass(on: .graphical)),
        ])

    let socket: String?
    let required: [(name: String, version: Int64)]
    let anyOf: [[(name: String, version: Int64)]]
    let optional: [String]

    static func pairs(_ entries: [(name: String, value: Value)]?) -> [(name: String, version: Int64)] {
        (entries ?? []).compactMap { name, value in value.asInt.map { (name, $0) } }
    }

    public init(parameters: Parameters) throws(ProbeError) {
        socket = parameters[Parameter.socket]
        required = WaylandProbe.pairs(parameters[Parameter.require])
        anyOf = (parameters[Parameter.requireAny]?.asList ?? []).map { WaylandProbe.pairs($0.asMap) }
        optional = parameters[Parameter.optional] ?? []
        if anyOf.contains(where: \.isEmpty) { throw ProbeError("every set of 'require_any' needs at least one interface") }
    }

    /// The socket path: the parameter, else `WAYLAND_DISPLAY` (absolute, or under `XDG_RUNTIME_DIR`).
    func socketPath(_ variables: Variables) throws(ProbeError) -> String {
        if let socket, !socket.isEmpty { return socket }
        let display = variables["WAYLAND_DISPLAY"].flatMap { $0.isEmpty ? nil : $0 } ?? "wayland-0"
        if display.hasPrefix("/") { return display }
        guard let runtime = variables["XDG_RUNTIME_DIR"], !runtime.isEmpty else {
            throw ProbeError("no Wayland socket: XDG_RUNTIME_DIR is not set (and no 'socket' given)")
        }
        return runtime + "/" + display
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        let path = try socketPath(context.variables)
        var values: ObservedValues = [:]
        if let session = context.variables["XDG_SESSION_TYPE"] { values[Observed.sessionType] = .string(session) }
        switch FileSystem.info(path, follow: false) {
        case .failure(let error):
            values[Observed.connected] = .bool(false)
            let reason = error.code == ENOENT ? "no Wayland compositor: \(path) does not exist" : "\(path): \(FileBytes.errnoText(error.code))"
            return ProbeOutput(observations: [Observation(subject: path, values: values, missingReason: reason)])
        case .success(let info):
            values[Observed.socketMode] = .int(info.mode)
            values[Observed.socketOwner] = .principal(id: Int64(info.uid), name: FileSystem.userName(info.uid))
        }
        let started = ContinuousClock.now
        let connection: UnixSocket
        do throws(UnixSocket.Failure) {
            connection = try UnixSocket(path: path, deadline: context.deadline)
        } catch {
            if case .timedOut(let what) = error { throw ProbeError("\(what) to \(path) did not happen before the deadline") }
            values[Observed.connected] = .bool(false)
            let reason = error == .refused ? "no Wayland compositor listens on \(path) (stale socket)" : "cannot connect to \(path): \(error.message)"
            return ProbeOutput(observations: [Observation(subject: path, values: values, missingReason: reason)])
        }
        let fd = dup(connection.fd)
        guard fd >= 0 else { throw ProbeError("dup: \(FileBytes.errnoText(errno))") }
        let left = context.deadline - .now
        let milliseconds = Int32(clamping: max(1, left.milliseconds))
        let state = UnsafeMutablePointer<doctor_wl_state>.allocate(capacity: 1)
        defer { state.deallocate() }
        state.initialize(to: doctor_wl_state())
        var protocolError: Int32 = 0
        let rc = doctor_wayland_globals(fd, milliseconds, state, &protocolError)
        switch rc {
        case 0: break
        case -2: throw ProbeError("the compositor at \(path) did not answer the registry roundtrip before the deadline")
        default:
            let detail = protocolError != 0 ? "protocol error \(protocolError)" : FileBytes.errnoText(errno)
            values[Observed.connected] = .bool(false)
            return ProbeOutput(observations: [Observation(subject: path, values: values, missingReason: "the compositor at \(path) failed the roundtrip: \(detail)")])
        }
        values[Observed.roundtripTime] = .double((ContinuousClock.now - started).seconds)
        var globals: [(name: String, version: Int64)] = []
        withUnsafePointer(to: &state.pointee.globals) { tuple in
            tuple.withMemoryRebound(to: doctor_wl_global.self, capacity: Int(DOCTOR_WL_MAX_GLOBALS)) { entries in
                for index in 0..<Int(state.pointee.count) {
                    var entry = entries[index]
                    let name = withUnsafeBytes(of: &entry.interface) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                    globals.append((name, Int64(entry.version)))
                }
            }
        }
        values[Observed.connected] = .bool(true)
        values[Observed.globals] = .list(globals.map { .string("\($0.name) v\($0.version)") })
        values[Observed.globalCount] = .int(Int64(globals.count))
        var highest: [String: Int64] = [:]
        for global in globals { highest[global.name] = max(highest[global.name] ?? 0, global.version) }
        func unmet(_ set: [(name: String, version: Int64)]) -> [String] {
            set.compactMap { requirement in
                guard let version = highest[requirement.name] else { return requirement.name }
                return version < requirement.version ? "\(requirement.name) v\(version) < \(requirement.version)" : nil
            }
        }
        var missing = unmet(required)
        if !anyOf.isEmpty {
            if let met = anyOf.first(where: { unmet($0).isEmpty }) {
                values[Observed.anyOf] = .string(met.map(\.name).joined(separator: ", "))
            } else {
                values[Observed.anyOf] = .string("")
                missing.append("one of: " + anyOf.map { "{" + unmet($0).joined(separator: ", ") + "}" }.joined(separator: " or "))
            }
        }
        values[Observed.missing] = .list(missing.map { .string($0) })
        values[Observed.optionalPresent] = .list(optional.filter { highest[$0] != nil }.map { .string($0) })
        values[Observed.optionalMissing] = .list(optional.filter { highest[$0] == nil }.map { .string($0) })
        return ProbeOutput(observations: [Observation(subject: path, values: values)])
    }
}
