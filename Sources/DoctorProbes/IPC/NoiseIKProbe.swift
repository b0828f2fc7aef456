public import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// The Open Sesame bus end to end: the Noise IK handshake against the server's published key, then optional
/// StatusRequest round trips.
public struct NoiseIKProbe: Probe {
    enum Parameter {
        static let socket = ParameterKey.string("socket", required: true, "The bus socket, e.g. `${XDG_RUNTIME_DIR}/pds/bus.sock`.")
        static let serverKey = ParameterKey.string("server_key", "The server's static public key file (default: `bus.pub` in the socket's directory).")
        static let clientKey = ParameterKey.string("client_key", "A file with the doctor's 32-byte static private key (default: a fresh key per run).")
        static let statusRequests = ParameterKey.integer("status_requests", default: 0, "StatusRequest round trips after the handshake.")
    }

    enum Observed {
        static let handshake = ObservationKey("handshake", .bool, "The handshake completed.")
        static let handshakeTime = ObservationKey("handshake_time", .duration, "Connect and handshake.")
        static let peerPid = ObservationKey("peer_pid", .integer, "The listener's pid (SO_PEERCRED).")
        static let peerUid = ObservationKey("peer_uid", .principal, "The listener's user (SO_PEERCRED).")
        static let roundTrips = ObservationKey("round_trips", .integer, "StatusRequest round trips completed.")
        static let latencyMedian = ObservationKey("latency_median", .duration, "Median round trip.")
        static let latencyMax = ObservationKey("latency_max", .duration, "Slowest round trip.")
        static let wireVersion = ObservationKey("wire_version", .integer, "The envelope's wire version in the reply.")
        static let locked = ObservationKey("locked", .bool, "The lock state the bus reports.")
        static let defaultProfile = ObservationKey("default_profile", .string, "The default trust profile the bus reports.")
        static let activeProfiles = ObservationKey("active_profiles", .list(.string), "The active trust profiles the bus reports.")
        static let initialized = ObservationKey("initialized", .bool, "The reply carries the installation's identity: `sesame init` has run (a bus host before init answers without one).")
        static let installationId = ObservationKey("installation_id", .string, "The installation id in the reply (a UUID), when it carries one.")
    }

    public static let spec = ProbeSpec(
        type: "noise-ik",
        summary: "The IPC bus completes a Noise_IK_25519_ChaChaPoly_BLAKE2s handshake and answers StatusRequest in time.",
        discussion: """
            Connects to the bus socket and acts as the initiator of `Noise_IK_25519_ChaChaPoly_BLAKE2s`. The \
            responder's static key is the 32 raw bytes of `server_key` (default: `bus.pub` beside the socket); \
            the doctor's own static key is a fresh one per run, or the 32-byte private key in `client_key`. The \
            prologue is `PDS-IPC-v1:<pid>:<uid>:<pid>:<uid>` from the doctor's pid and uid and the listener's \
            (`SO_PEERCRED`), the lower pid first; handshake messages are framed with a 4-byte big-endian \
            length. X25519 and ChaCha20-Poly1305 come from libsodium, BLAKE2s from libb2.

            With `status_requests: N`, the probe then sends N StatusRequests on the same connection, as the \
            sesame CLI does: postcard envelopes of wire version 3, event variant 51, security level Internal, \
            one sender id for the whole connection (the bus refuses a sender that changes mid-session), each \
            encrypted frame being the chunk count as a 4-byte frame of its own and then the length-prefixed \
            Noise messages. It waits for each StatusResponse (variant 52) with the request's correlation id: \
            `latency_median` and `latency_max` are the round trips, and `wire_version`, `locked`, \
            `default_profile`, `active_profiles`, `initialized` and `installation_id` come from the last reply. \
            The layout follows upstream's source at release 1.14.2; the probe's source cites the file and line \
            of every field. A request the bus refuses (`AccessDenied`) is a failure that quotes the bus's \
            reason; a reply that does not decode is a failure that names the field.

            A handshake the bus rejects (a `server_key` that is not the server's, a frame longer than 16 MiB, \
            a truncated frame, a `bus.pub` that is not 32 bytes) is `handshake: false` with the reason; a bus \
            that never answers is an error at the check's deadline. Key material is zeroed after use and never \
            printed.
            """,
        parameters: [Parameter.socket, Parameter.serverKey, Parameter.clientKey, Parameter.statusRequests],
        observations: [
            Observed.handshake, Observed.handshakeTime, Observed.peerPid, Observed.peerUid, Observed.roundTrips,
            Observed.latencyMedian, Observed.latencyMax, Observed.wireVersion, Observed.locked, Observed.defaultProfile,
            Observed.activeProfiles, Observed.initialized, Observed.installationId,
        ],
        defaultExpect: "{handshake: true}",
        examples: [
            ProbeExample("The bus answers a status request quickly", """
                id: daemon-status-rpc
                title: The bus completes a Noise IK handshake and answers StatusRequest
                category: ipc-connectivity
                severity: critical
                timeout: 5s
                probe: {type: noise-ik, socket: "${XDG_RUNTIME_DIR}/pds/bus.sock", status_requests: 3}
                expect:
                  handshake: true
                  wire_version: 3
                  peer_uid: "${UID}"
                  latency_median: {warn_if: {gt: 250ms}, fail_if: {gt: 2s}}
                remediation: systemctl --user restart open-sesame-profile.service
                """,
                .pass(),
                .fail(on: .broken, containing: "Noise IK handshake failed: the bus closed the connection after message 1 (it could not decrypt it: is bus.pub the server's current key?)"),
                .fail(on: .stale, containing: "stale socket: nothing is listening (expected handshake == true")),
        ])

    let socket: String
    let serverKey: String
    let clientKey: String?
    let statusRequests: Int

    public init(parameters: Parameters) throws(ProbeError) {
        guard let socket = parameters[Parameter.socket], !socket.isEmpty else { throw ProbeError("'socket' is empty") }
        self.socket = socket
        let directory = socket.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        serverKey = parameters[Parameter.serverKey] ?? (directory.isEmpty ? "bus.pub" : directory + "/bus.pub")
        clientKey = parameters[Parameter.clientKey]
        let count = parameters[Parameter.statusRequests]
        guard (0...1000).contains(count) else { throw ProbeError("'status_requests' must be between 0 and 1000, found \(count)") }
        statusRequests = Int(count)
    }

    /// Reads a file that must hold exactly 32 bytes; the failure names the file.
    static func key32(_ path: String, what: String) -> Result<[UInt8], ProbeError> {
        switch FileSystem.info(path, follow: true) {
        case .failure(let error): return .failure(ProbeError("cannot read the \(what) \(path): \(String(cString: strerror(error.code)))"))
        case .success(let info) where info.type != "file": return .failure(ProbeError("the \(what) \(path) is a \(info.type), not a file"))
        case .success(let info) where info.size != 32:
            return .failure(ProbeError("the \(what) \(path) is \(info.size) bytes, expected 32 raw bytes"))
        case .success: break
        }
        switch FileSystem.readSmall(path, limit: 32, follow: true) {
        case .failure(let error): return .failure(ProbeError("the \(what): \(error.message)"))
        case .success(let bytes) where bytes.count != 32: return .failure(ProbeError("the \(what) \(path) is \(bytes.count) bytes, expected 32 raw bytes"))
        case .success(let bytes): return .success(bytes)
        }
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        let failed = { (reason: String) in
            ProbeOutput(observations: [Observation(subject: socket, values: [Observed.handshake: .bool(false)], missingReason: reason)])
        }
        let serverPublic: [UInt8]
        switch NoiseIKProbe.key32(serverKey, what: "server key") {
        case .success(let bytes): serverPublic = bytes
        case .failure(let error): return failed(error.message)
        }
        var clientPrivate: X25519PrivateKey?
        if let clientKey {
            switch NoiseIKProbe.key32(clientKey, what: "client key") {
            case .success(var bytes):
                defer { NoiseCrypto.wipe(&bytes) }
                do { clientPrivate = try X25519PrivateKey(rawRepresentation: bytes) } catch { throw ProbeError("the client key \(clientKey) is not an X25519 private key") }
            case .failure(let error): throw error
            }
        }
        let started = ContinuousClock.now
        let session: BusSession
        do {
            session = try BusSession(path: socket, deadline: context.deadline)
            try session.handshake(serverKey: serverPublic, clientKey: clientPrivate)
        } catch {
            return try NoiseIKProbe.outcome(error, failed)
        }
        var values: ObservedValues = [
            Observed.handshake: .bool(true), Observed.handshakeTime: .double((ContinuousClock.now - started).seconds),
            Observed.peerPid: .int(Int64(session.peer.pid)),
            Observed.peerUid: .principal(id: Int64(session.peer.uid), name: FileSystem.userName(session.peer.uid)),
        ]
        var latencies: [Double] = []
        var problems: [String] = []
        for _ in 0..<statusRequests {
            if Task.isCancelled { throw ProbeError("cancelled") }
            do {
                let (message, response, elapsed) = try session.status()
                latencies.append(elapsed.seconds)
                values[Observed.wireVersion] = .int(Int64(message.version))
                values[Observed.initialized] = .bool(message.installation != nil)
                values[Observed.installationId] = message.installation.map { .string(BusSession.uuidString($0.id)) }
                values[Observed.locked] = .bool(response.locked)
                values[Observed.defaultProfile] = .string(response.defaultProfile)
                values[Observed.activeProfiles] = .list(response.activeProfiles.map { .string($0) })
            } catch {
                if case .socket(.timedOut) = error { throw ProbeError("StatusRequest \(latencies.count + 1): \(error.message)") }
                // Asked for and not answered properly: a failure whatever the expectations say.
                problems.append("StatusRequest \(latencies.count + 1) of \(statusRequests): \(error.message)")
                break
            }
        }
        values[Observed.roundTrips] = .int(Int64(latencies.count))
        if !latencies.isEmpty {
            let sorted = latencies.sorted()
            let middle = sorted.count / 2
            values[Observed.latencyMedian] = .double(sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2)
            values[Observed.latencyMax] = .double(sorted[sorted.count - 1])
        }
        return ProbeOutput(observations: [Observation(subject: socket, values: values)], problems: problems)
    }

    /// A failed connection or handshake: a failure with the reason, or an error when the deadline passed.
    static func outcome(_ error: BusSession.Failure, _ failed: (String) -> ProbeOutput) throws(ProbeError) -> ProbeOutput {
        switch error {
        case .socket(.timedOut(let what)): throw ProbeError("\(what) did not happen before the deadline")
        case .socket(.refused): return failed("stale socket: nothing is listening")
        case .socket(.missing): return failed("no bus socket")
        case .socket(let failure): return failed("the bus connection failed: \(failure.message)")
        case .handshake, .protocolError: return failed(error.message)
        }
    }
}
