import DoctorCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A client session on the Open Sesame IPC bus: a Unix socket, the `Noise_IK_25519_ChaChaPoly_BLAKE2s`
/// handshake as initiator, then encrypted frames (`../shared/reference/open-sesame.md` §2.2, §2.3).
///
/// Framing: every handshake message is `[u32 BE length][message]`; an encrypted frame is `[u32 BE chunk
/// count]` followed by that many `[u32 BE length][Noise transport message]` chunks (each at most 65535 bytes,
/// 65519 of plaintext). Lengths are checked against their limits before anything is allocated.
final class BusSession {
    static let protocolName = "Noise_IK_25519_ChaChaPoly_BLAKE2s"
    static let maxFrame = 16 << 20
    static let maxNoiseMessage = 65535
    static let maxChunkPlaintext = 65519

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

    /// Connects and reads the peer's credentials; the handshake is `handshake(...)`.
    init(path: String, deadline: ContinuousClock.Instant) throws(Failure) {
        do {
            socket = try UnixSocket(path: path, deadline: deadline)
            peer = try socket.peerCredentials()
        } catch {
            throw .socket(error)
        }
        prologue = BusSession.prologue(ourPID: getpid(), ourUID: geteuid(), peer: peer)
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
        var out = UnixSocket.lengthPrefix(chunks.count)
        for chunk in chunks { out += UnixSocket.lengthPrefix(chunk.count) + chunk }
        do { try socket.write(out, what: "sending a request") } catch { throw .socket(error) }
    }

    /// Reads and decrypts one encrypted frame.
    func receiveFrame() throws(Failure) -> [UInt8] {
        guard let receive else { throw .protocolError("no handshake") }
        do throws(UnixSocket.Failure) {
            let count = try socket.readLength(limit: BusSession.maxFrame / BusSession.maxNoiseMessage + 1, what: "the chunk count of a reply")
            guard count >= 1 else { throw UnixSocket.Failure.other("a reply of 0 chunks") }
            var plaintext: [UInt8] = []
            for _ in 0..<count {
                let chunk = try socket.readFrame(limit: BusSession.maxNoiseMessage, what: "a reply chunk")
                do {
                    plaintext += try receive.decrypt(associated: [], chunk)
                } catch {
                    throw UnixSocket.Failure.other("a reply chunk did not decrypt: \(error.description)")
                }
            }
            return plaintext
        } catch {
            throw .socket(error)
        }
    }

    /// One StatusRequest → StatusResponse exchange: the response and its round-trip time. Frames that are not
    /// the reply (broadcasts) are skipped, a bounded number of times.
    func status() throws(Failure) -> (BusEnvelope.StatusResponse, Duration) {
        var id = [UInt8](repeating: 0, count: 16)
        var sender = [UInt8](repeating: 0, count: 16)
        BusSession.uuid7(&id)
        BusSession.uuid7(&sender)
        let wall = UInt64(Date().timeIntervalSince1970 * 1000)
        var monotonic = timespec()
        clock_gettime(CLOCK_MONOTONIC, &monotonic)
        let request = BusEnvelope.statusRequest(id: id, sender: sender, wallMilliseconds: wall, monotonicMilliseconds: UInt64(monotonic.tv_sec) * 1000 + UInt64(monotonic.tv_nsec) / 1_000_000)
        let started = ContinuousClock.now
        try sendFrame(request)
        for _ in 0..<64 {
            let frame = try receiveFrame()
            var reader = BusEnvelope.Reader(bytes: frame)
            do {
                let header = try BusEnvelope.header(&reader)
                guard header.correlation == id else { continue }
                let elapsed = ContinuousClock.now - started
                guard header.variant == BusEnvelope.statusResponse else {
                    throw Failure.protocolError("the reply to StatusRequest is event variant \(header.variant), not StatusResponse (\(BusEnvelope.statusResponse)); wire version \(header.version)")
                }
                return (try BusEnvelope.statusResponse(&reader, version: header.version), elapsed)
            } catch let malformed as BusEnvelope.Reader.Malformed {
                throw .protocolError("malformed reply: \(malformed.what)")
            } catch let failure as Failure {
                throw failure
            } catch {
                throw .protocolError("\(error)")
            }
        }
        throw .protocolError("no reply to StatusRequest among 64 frames")
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
