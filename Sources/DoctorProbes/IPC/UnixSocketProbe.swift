public import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// A Unix socket file and whoever listens on it: type, owner and mode of the socket and its directory, a
/// connection within the deadline, and the listener's credentials (`SO_PEERCRED`).
public struct UnixSocketProbe: Probe {
    enum Parameter {
        static let path = ParameterKey.string("path", required: true, "The socket, e.g. `${XDG_RUNTIME_DIR}/pds/bus.sock`.")
        static let connect = ParameterKey.bool("connect", default: true, "Connect and read the listener's credentials.")
        static let unit = ParameterKey.string("unit", "A unit whose MainPID the listener must be.")
        static let manager = ParameterKey.enumeration("manager", ["user", "system"], default: "user", "The manager of `unit`.")
        static let address = ParameterKey.string("address", "An explicit bus address for the manager of `unit`.")
    }

    enum Observed {
        static let exists = ObservationKey("exists", .bool, "The path exists.")
        static let type = ObservationKey("type", .enumeration(FileSystem.typeNames), "The file type (`socket` for a socket).")
        static let mode = ObservationKey("mode", .fileMode, "The socket file's permission bits.")
        static let owner = ObservationKey("owner", .principal, "The socket file's owner.")
        static let dirMode = ObservationKey("dir_mode", .fileMode, "The parent directory's permission bits.")
        static let dirOwner = ObservationKey("dir_owner", .principal, "The parent directory's owner.")
        static let listening = ObservationKey("listening", .bool, "A connection was accepted.")
        static let stale = ObservationKey("stale", .bool, "The file is there but nothing listens (ECONNREFUSED).")
        static let connectTime = ObservationKey("connect_time", .duration, "How long connecting took.")
        static let peerPid = ObservationKey("peer_pid", .integer, "The listener's pid.")
        static let peerUid = ObservationKey("peer_uid", .principal, "The listener's user.")
        static let peerGid = ObservationKey("peer_gid", .principal, "The listener's group.")
        static let peerIsUnit = ObservationKey("peer_is_unit", .bool, "The listener is the MainPID of `unit`.")
    }

    public static let spec = ProbeSpec(
        type: "unix-socket",
        summary: "A Unix socket is private, something listens on it, and the listener is who it should be.",
        discussion: """
            `lstat`s the socket file and its parent directory, then connects (non-blocking, within the check's \
            deadline) and reads the listener's pid, uid and gid with `SO_PEERCRED`. A socket file with nothing \
            listening (`ECONNREFUSED`) is observed as `stale: true`, `listening: false`: the daemon died without \
            removing it. The doctor sends nothing on the connection.

            `peer_uid: ${UID}` asks that the listener runs as the doctor's user (the bus rejects other users, \
            and so should you). With `unit`, the probe also reads that unit's MainPID from the service manager \
            (user manager by default; `manager: system` or `address` as for `systemd-unit`) and observes \
            `peer_is_unit: true` when the listener is that process.
            """,
        parameters: [Parameter.path, Parameter.connect, Parameter.unit, Parameter.manager, Parameter.address],
        observations: [
            Observed.exists, Observed.type, Observed.mode, Observed.owner, Observed.dirMode, Observed.dirOwner,
            Observed.listening, Observed.stale, Observed.connectTime, Observed.peerPid, Observed.peerUid,
            Observed.peerGid, Observed.peerIsUnit,
        ],
        defaultExpect: "{type: socket, listening: true}",
        examples: [
            ProbeExample("The bus socket is private and served by the bus host", """
                id: ipc-bus-socket-peer
                title: The bus socket is listened on by daemon-profile, as the user
                category: ipc-connectivity
                severity: critical
                probe: {type: unix-socket, path: "${XDG_RUNTIME_DIR}/pds/bus.sock", unit: open-sesame-profile.service}
                expect:
                  type: socket
                  mode: {within: "0700"}
                  dir_mode: "0700"
                  listening: true
                  peer_uid: "${UID}"
                  peer_is_unit: true
                remediation: systemctl --user restart open-sesame-profile.service
                """,
                .pass(),
                .fail(on: .stale, containing: "stale socket: nothing is listening on ${XDG_RUNTIME_DIR}/pds/bus.sock (expected listening == true")),
        ])

    let path: String
    let connect: Bool
    let unit: (name: String, scope: SystemdManager.Scope, address: String?)?

    public init(parameters: Parameters) throws(ProbeError) {
        guard let path = parameters[Parameter.path], !path.isEmpty else { throw ProbeError("'path' is empty") }
        self.path = path
        connect = parameters[Parameter.connect]
        unit = parameters[Parameter.unit].map { ($0, parameters[Parameter.manager] == "system" ? .system : .user, parameters[Parameter.address]) }
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        var values: ObservedValues = [:]
        var reason: String?
        switch FileSystem.info(path, follow: false) {
        case .failure(let error):
            values[Observed.exists] = .bool(false)
            reason = error.code == ENOENT ? "\(path) does not exist" : "\(path): \(String(cString: strerror(error.code)))"
        case .success(let info):
            values[Observed.exists] = .bool(true)
            values[Observed.type] = .string(info.type)
            values[Observed.mode] = .int(info.mode)
            values[Observed.owner] = .principal(id: Int64(info.uid), name: FileSystem.userName(info.uid))
        }
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if case .success(let info) = FileSystem.info(directory.isEmpty ? "/" : directory, follow: true) {
            values[Observed.dirMode] = .int(info.mode)
            values[Observed.dirOwner] = .principal(id: Int64(info.uid), name: FileSystem.userName(info.uid))
        }
        guard connect, reason == nil else {
            return ProbeOutput(observations: [Observation(subject: path, values: values, missingReason: reason)])
        }
        let started = ContinuousClock.now
        var peer: UnixSocket.Credentials?
        do throws(UnixSocket.Failure) {
            let socket = try UnixSocket(path: path, deadline: context.deadline)
            values[Observed.connectTime] = .double((ContinuousClock.now - started).seconds)
            values[Observed.listening] = .bool(true)
            values[Observed.stale] = .bool(false)
            peer = try socket.peerCredentials()
        } catch {
            switch error {
            case .refused:
                values[Observed.listening] = .bool(false)
                values[Observed.stale] = .bool(true)
                reason = "stale socket: nothing is listening on \(path)"
            case .timedOut(let what):
                throw ProbeError("\(what) on \(path) did not happen before the deadline")
            default:
                values[Observed.listening] = .bool(false)
                values[Observed.stale] = .bool(false)
                reason = "cannot connect to \(path): \(error.message)"
            }
        }
        if let peer {
            values[Observed.peerPid] = .int(Int64(peer.pid))
            values[Observed.peerUid] = .principal(id: Int64(peer.uid), name: FileSystem.userName(peer.uid))
            values[Observed.peerGid] = .principal(id: Int64(peer.gid), name: FileSystem.groupName(peer.gid))
            if let unit, context.wants(Observed.peerIsUnit) {
                let manager = try SystemdManager(scope: unit.scope, address: unit.address, variables: context.variables)
                let (pid, why) = try manager.mainPID(of: unit.name, deadline: context.deadline)
                if let pid { values[Observed.peerIsUnit] = .bool(pid == peer.pid) } else { reason = why }
            }
        }
        return ProbeOutput(observations: [Observation(subject: path, values: values, missingReason: reason)])
    }
}
