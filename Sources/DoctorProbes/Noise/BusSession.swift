import DoctorCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A client session on the Open Sesame IPC bus: a Unix socket, the `Noise_IK_25519_ChaChaPoly_BLAKE2s`
/// handshake as initiator, then encrypted frames, as upstream's `core-ipc` speaks them at release 1.14.2
/// (ScopeCreep-zip/open-sesame, commit 5bd74188cf98de6b9db7a8f5ec52ff31945fe54f):
///
/// - Handshake messages are one frame each, `[u32 BE length][message]`; message 2 has an empty payload
///   (`core-ipc/src/noise.rs:253-281`, `core-ipc/src/framing.rs:51-82`).
/// - An encrypted frame is the chunk count as a frame of its own, `[00 00 00 04][u32 BE count]`, then that many
///   `[u32 BE length][Noise transport message]` chunks of at most 65519 plaintext bytes; an empty payload is
///   one empty chunk (`core-ipc/src/noise.rs:92-136`). The reader refuses a count frame that is not 4 bytes,
///   more than 257 chunks, a frame over 16 MiB and a reassembled payload over 16 MiB (`noise.rs:147-198`),
///   and so does this client; every length is checked before anything is allocated.
/// - The first message of a connection binds its sender id: a later message with another `sender` is refused
///   with `AccessDenied` (`core-ipc/src/server.rs:689-724`). A session therefore uses one sender id, as the
///   sesame CLI does (one `DaemonId` per connection, `open-sesame/src/ipc.rs:74`).
final class BusSession {
    static let protocolName = "Noise_IK_25519_ChaChaPoly_BLAKE2s"
    static let maxFrame = 16 << 20
    static let maxNoiseMessage = 65535
    static let maxChunkPlaintext = 65519
    /// `ceil(16 MiB / 65519)` (`core-ipc/src/noise.rs:166-172`).
    static let maxChunks = (maxFrame + maxChunkPlaintext - 1) / maxChunkPlaintext

    enum Failure: Error {
        case socket(UnixSocket.Failure)
        case handshake(String)
        case protocolError(String)

        var message: String {
            switch self {
            case .socket(let failure): failure.message
            case .handshake(let text): "Noise IK handshake failed: \(text)"
            case .protocolError(let text): text
            }
        }
    }

    let socket: UnixSocket
    let peer: UnixSocket.Credentials
    let prologue: String
    private var send: NoiseCipherState?
    private var receive: NoiseCipherState?
    /// This connection's sender id (a UUID v7, as `DaemonId::new()` makes one), the same on every message.
    let sender: [UInt8]
    /// The timestamp's monotonic part counts nanoseconds from this instant, as a client counts from its
    /// connect time (`core-ipc/src/client.rs:154`, `core-types/src/constants.rs:41-52`).
    private let epoch = ContinuousClock.now

    /// Connects and reads the peer's credentials; the handshake is `handshake(...)`.
    init(path: String, deadline: ContinuousClock.Instant) throws(Failure) {
        do {
            socket = try UnixSocket(path: path, deadline: deadline)
            peer = try socket.peerCredentials()
        } catch {
            throw .socket(error)
        }
        prologue = BusSession.prologue(ourPID: getpid(), ourUID: geteuid(), peer: peer)
        var id = [UInt8](repeating: 0, count: 16)
        BusSession.uuid7(&id)
        sender = id
    }

    /// `PDS-IPC-v1:<pid>:<uid>:<pid>:<uid>`, the side with the lower pid first.
    static func prologue(ourPID: Int32, ourUID: UInt32, peer: UnixSocket.Credentials) -> String {
        let ours = (ourPID, ourUID), theirs = (peer.pid, peer.uid)
        let (first, second) = ours.0 <= theirs.0 ? (ours, theirs) : (theirs, ours)
        return "PDS-IPC-v1:\(first.0):\(first.1):\(second.0):\(second.1)"
    }

    /// The IK handshake with the server's static public key; our static key is `clientKey` or a fresh one.
    func handshake(serverKey: [UInt8], clientKey: X25519PrivateKey?) throws(Failure) {
        let state: NoiseHandshake
        do {
            state = try NoiseHandshake(
                protocolName: BusSession.protocolName, initiator: true, prologue: Array(prologue.utf8),
                staticKey: clientKey ?? X25519PrivateKey(), remoteStatic: serverKey)
            let first = try state.writeMessage([])
            try socket.write(UnixSocket.lengthPrefix(first.count) + first, what: "sending handshake message 1")
        } catch let error as NoiseError {
            throw .handshake(error.description)
        } catch let error as UnixSocket.Failure {
            throw .socket(error)
        } catch {
            throw .handshake("\(error)")
        }
        let second: [UInt8]
        do {
            second = try socket.readFrame(limit: BusSession.maxNoiseMessage, what: "handshake message 2")
        } catch {
            if case .closed(let when) = error, when.hasPrefix("before") {
                throw .handshake("the bus closed the connection after message 1 (it could not decrypt it: is bus.pub the server's current key?)")
            }
            throw .socket(error)
        }
        do {
            _ = try state.readMessage(second)
            (send, receive) = try state.split()
        } catch {
            throw .handshake("message 2 did not decrypt: \(error.description)")
        }
    }

    /// Encrypts `plaintext` into one encrypted frame and sends it.
    func sendFrame(_ plaintext: [UInt8]) throws(Failure) {
        guard let send else { throw .protocolError("no handshake") }
        var chunks: [[UInt8]] = []
        var rest = ArraySlice(plaintext)
        repeat {
            let piece = Array(rest.prefix(BusSession.maxChunkPlaintext))
            rest = rest.dropFirst(piece.count)
            do { chunks.append(try send.encrypt(associated: [], piece)) } catch { throw .protocolError(error.description) }
        } while !rest.isEmpty
        var out = UnixSocket.lengthPrefix(4) + UnixSocket.lengthPrefix(chunks.count)
        for chunk in chunks { out += UnixSocket.lengthPrefix(chunk.count) + chunk }
        do { try socket.write(out, what: "sending a request") } catch { throw .socket(error) }
    }

    /// Reads and decrypts one encrypted frame.
    func receiveFrame() throws(Failure) -> [UInt8] {
        guard let receive else { throw .protocolError("no handshake") }
        do throws(UnixSocket.Failure) {
            let header = try socket.readFrame(limit: 4, what: "the chunk count of a reply")
            guard header.count == 4 else { throw UnixSocket.Failure.other("the chunk count of a reply is a frame of \(header.count) bytes, not 4") }
            let count = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
            guard count >= 1 else { throw UnixSocket.Failure.other("a reply of 0 chunks") }
            guard count <= BusSession.maxChunks else { throw UnixSocket.Failure.other("a reply of \(count) chunks, more than the \(BusSession.maxChunks) allowed") }
            var plaintext: [UInt8] = []
            for _ in 0..<count {
                let chunk = try socket.readFrame(limit: BusSession.maxNoiseMessage, what: "a reply chunk")
                do {
                    plaintext += try receive.decrypt(associated: [], chunk)
                } catch {
                    throw UnixSocket.Failure.other("a reply chunk did not decrypt: \(error.description)")
                }
                guard plaintext.count <= BusSession.maxFrame else { throw UnixSocket.Failure.other("a reply of more than 16 MiB") }
            }
            return plaintext
        } catch {
            throw .socket(error)
        }
    }

    /// One StatusRequest → StatusResponse exchange: the reply and its round-trip time. Frames that are not the
    /// reply (broadcasts, replies to others) are skipped, a bounded number of times; an `AccessDenied` that
    /// answers the request is a failure with the bus's reason.
    func status() throws(Failure) -> (BusEnvelope.Message, BusEnvelope.StatusResponse, Duration) {
        var id = [UInt8](repeating: 0, count: 16)
        BusSession.uuid7(&id)
        let wall = UInt64(Date().timeIntervalSince1970 * 1000)
        let sinceEpoch = ContinuousClock.now - epoch
        let nanoseconds = UInt64(sinceEpoch.components.seconds) * 1_000_000_000 + UInt64(sinceEpoch.components.attoseconds / 1_000_000_000)
        let request = BusEnvelope.statusRequest(id: id, sender: sender, monotonicNanoseconds: nanoseconds, wallMilliseconds: wall)
        let started = ContinuousClock.now
        try sendFrame(request)
        for _ in 0..<64 {
            let frame = try receiveFrame()
            let message: BusEnvelope.Message
            do {
                message = try BusEnvelope.decode(frame)
            } catch {
                // A frame that is not ours may be an event this client does not model; one that is ours must decode.
                if frame.count >= 36, frame[18] == 1, Array(frame[20..<36]) == id { throw .protocolError("malformed reply: \(error.what)") }
                continue
            }
            guard message.correlation == id else { continue }
            let elapsed = ContinuousClock.now - started
            switch message.payload {
            case .statusResponse(let response): return (message, response, elapsed)
            case .accessDenied(let reason): throw .protocolError("the bus refused: \(reason)")
            case .other(let variant):
                throw .protocolError("the reply to StatusRequest is event variant \(variant), not StatusResponse (\(BusEnvelope.statusResponse)); wire version \(message.version)")
            }
        }
        throw .protocolError("no reply to StatusRequest among 64 frames")
    }

    /// The canonical text form of a UUID, `8-4-4-4-12` lowercase hex.
    static func uuidString(_ bytes: [UInt8]) -> String {
        let hex = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    /// A version 7 UUID: 48 bits of Unix milliseconds, then random bits.
    static func uuid7(_ bytes: inout [UInt8]) {
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        let milliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index))) }
        bytes[6] = (bytes[6] & 0x0f) | 0x70
        bytes[8] = (bytes[8] & 0x3f) | 0x80
    }
}
