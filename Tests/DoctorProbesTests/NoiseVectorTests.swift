import Crypto
import Foundation
import Testing

@testable import DoctorProbes

/// `../shared/vectors/` beside the repository (present in CI too).
let sharedVectors: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.deletingLastPathComponent().path + "/shared/vectors"
}()

func hex(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(text.count / 2)
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        out.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return out
}

func hexText(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

struct NoiseVector: Decodable {
    struct Message: Decodable {
        var payload: String
        var ciphertext: String
    }

    var protocol_name: String
    var init_prologue: String
    var init_static: String?
    var init_ephemeral: String
    var init_remote_static: String?
    var init_psks: [String]?
    var resp_prologue: String
    var resp_static: String?
    var resp_ephemeral: String?
    var resp_remote_static: String?
    var resp_psks: [String]?
    var handshake_hash: String
    var messages: [Message]
}

struct NoiseVectorFile: Decodable {
    var vectors: [NoiseVector]
}

func privateKey(_ text: String?) throws -> Curve25519.KeyAgreement.PrivateKey? {
    try text.map { try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: hex($0)) }
}

@Suite struct NoiseVectorTests {
    static let vectors: [NoiseVector] = {
        guard let data = FileManager.default.contents(atPath: sharedVectors + "/noise-25519-chachapoly-blake2s.json") else { return [] }
        return (try? JSONDecoder().decode(NoiseVectorFile.self, from: data).vectors) ?? []
    }()

    @Test func theVectorFileIsThere() {
        #expect(NoiseVectorTests.vectors.count == 59, "read \(sharedVectors)")
        #expect(NoiseVectorTests.vectors.contains { $0.protocol_name == "Noise_IK_25519_ChaChaPoly_BLAKE2s" })
    }

    /// Every vector: both sides run the handshake from the vector's keys; every message's ciphertext, the
    /// decrypted payloads and the handshake hash must match, then the transport messages.
    @Test(arguments: NoiseVectorTests.vectors.map(\.protocol_name))
    func vector(_ name: String) throws {
        let vector = try #require(NoiseVectorTests.vectors.first { $0.protocol_name == name })
        let initiator = try NoiseHandshake(
            protocolName: name, initiator: true, prologue: hex(vector.init_prologue), staticKey: privateKey(vector.init_static),
            remoteStatic: vector.init_remote_static.map(hex), ephemeral: privateKey(vector.init_ephemeral), psk: vector.init_psks?.first.map(hex))
        let responder = try NoiseHandshake(
            protocolName: name, initiator: false, prologue: hex(vector.resp_prologue), staticKey: privateKey(vector.resp_static),
            remoteStatic: vector.resp_remote_static.map(hex), ephemeral: privateKey(vector.resp_ephemeral), psk: vector.resp_psks?.first.map(hex))
        var index = 0
        while !initiator.isComplete {
            let message = vector.messages[index]
            let (writer, reader) = initiator.isMyTurn ? (initiator, responder) : (responder, initiator)
            let ciphertext = try writer.writeMessage(hex(message.payload))
            #expect(hexText(ciphertext) == message.ciphertext, "\(name) message \(index + 1)")
            #expect(try reader.readMessage(ciphertext) == hex(message.payload), "\(name) message \(index + 1)")
            index += 1
        }
        #expect(responder.isComplete)
        #expect(hexText(initiator.handshakeHash) == vector.handshake_hash, "\(name) handshake hash")
        #expect(responder.handshakeHash == initiator.handshakeHash)
        let (initiatorSend, initiatorReceive) = try initiator.split()
        let (responderSend, responderReceive) = try responder.split()
        var fromInitiator = !initiator.pattern.oneWay ? (index % 2 == 0) : true
        for message in vector.messages[index...] {
            let (sender, receiver) = fromInitiator ? (initiatorSend, responderReceive) : (responderSend, initiatorReceive)
            let ciphertext = try sender.encrypt(associated: [], hex(message.payload))
            #expect(hexText(ciphertext) == message.ciphertext, "\(name) transport message \(index + 1)")
            #expect(try receiver.decrypt(associated: [], ciphertext) == hex(message.payload))
            index += 1
            if !initiator.pattern.oneWay { fromInitiator.toggle() }
        }
    }

    @Test func aTamperedMessageIsRejected() throws {
        let responderKey = Curve25519.KeyAgreement.PrivateKey()
        let initiator = try NoiseHandshake(protocolName: "Noise_IK_25519_ChaChaPoly_BLAKE2s", initiator: true, prologue: [], staticKey: .init(), remoteStatic: Array(responderKey.publicKey.rawRepresentation))
        let responder = try NoiseHandshake(protocolName: "Noise_IK_25519_ChaChaPoly_BLAKE2s", initiator: false, prologue: [], staticKey: responderKey)
        var first = try initiator.writeMessage([])
        #expect(first.count == 96)
        first[40] ^= 1
        #expect(throws: NoiseError.self) { try responder.readMessage(first) }
    }
}

@Suite struct Blake2sTests {
    struct KAT: Decodable {
        var hash: String
        var `in`: String
        var key: String
        var out: String
    }

    struct KATFile: Decodable { var vectors: [KAT] }

    @Test func knownAnswers() throws {
        let data = try #require(FileManager.default.contents(atPath: sharedVectors + "/blake2s-kat.json"))
        let vectors = try JSONDecoder().decode(KATFile.self, from: data).vectors.filter { $0.hash == "blake2s" }
        #expect(vectors.count == 512)
        for vector in vectors {
            #expect(hexText(NoiseCrypto.blake2s(hex(vector.in), key: hex(vector.key))) == vector.out, "in \(vector.in.count / 2) bytes, key \(vector.key.count / 2) bytes")
        }
    }

    @Test func hmacMatchesRFC2104OverBlake2s() {
        // HMAC computed from its definition with the unkeyed hash, for a long key (hashed first) and a short one.
        for key in [[UInt8](repeating: 0xaa, count: 80), [UInt8](repeating: 0x0b, count: 20)] {
            let message = Array("doctor".utf8)
            var block = key.count > 64 ? NoiseCrypto.blake2s(key) : key
            block += [UInt8](repeating: 0, count: 64 - block.count)
            let inner = NoiseCrypto.blake2s(block.map { $0 ^ 0x36 }, message)
            let expected = NoiseCrypto.blake2s(block.map { $0 ^ 0x5c }, inner)
            #expect(NoiseCrypto.hmac(key: key, message) == expected)
        }
    }
}
