import DoctorTestSupport
import Foundation
import Testing

@testable import DoctorProbes

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

/// One handshake of the Go implementation's vector file (Debian golang-github-flynn-noise-dev, `vectors.txt`):
/// `key=hex` lines, a blank line between handshakes. Both sides use the same prologue and pre-shared key; a
/// side's remote static key is the other side's public key where the pattern's pre-messages say it is known.
struct NoiseVector: Sendable {
    var index: Int
    var protocolName: String
    var initiatorStatic: String?
    var responderStatic: String?
    var initiatorEphemeral: String
    var responderEphemeral: String
    var prologue: String
    var psk: String?
    var messages: [(payload: String, ciphertext: String)]

    /// What makes this one differ from the other vectors of its protocol, for test names.
    var variant: String {
        "\(protocolName) #\(index)\(prologue.isEmpty ? "" : ", prologue")\(messages.first?.payload.isEmpty == false ? ", payloads" : "")"
    }

    /// The initiator and the responder of this vector, with its keys, ephemerals, prologue and psk.
    func handshakes() throws -> (NoiseHandshake, NoiseHandshake) {
        let pattern = try NoisePattern(String(protocolName.split(separator: "_")[1]))
        func side(_ initiator: Bool) throws -> NoiseHandshake {
            let (mine, theirs, known) = initiator
                ? (initiatorStatic, responderStatic, pattern.responderPre.contains(.s))
                : (responderStatic, initiatorStatic, pattern.initiatorPre.contains(.s))
            return try NoiseHandshake(
                protocolName: protocolName, initiator: initiator, prologue: hex(prologue), staticKey: privateKey(mine),
                remoteStatic: known ? publicKey(theirs) : nil,
                ephemeral: privateKey(initiator ? initiatorEphemeral : responderEphemeral), psk: psk.map(hex))
        }
        return (try side(true), try side(false))
    }

    /// Every `*_25519_ChaChaPoly_BLAKE2s` handshake of the file, numbered in file order from 0.
    static func load(_ text: String) throws -> [NoiseVector] {
        var out: [NoiseVector] = []
        for block in text.split(separator: "\n\n", omittingEmptySubsequences: true) {
            var fields: [String: String] = [:]
            for line in block.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            guard let name = fields["handshake"], name.hasSuffix("_25519_ChaChaPoly_BLAKE2s") else { continue }
            var messages: [(String, String)] = []
            while let payload = fields["msg_\(messages.count)_payload"], let ciphertext = fields["msg_\(messages.count)_ciphertext"] {
                messages.append((payload, ciphertext))
            }
            guard let initiatorEphemeral = fields["gen_init_ephemeral"], let responderEphemeral = fields["gen_resp_ephemeral"], !messages.isEmpty else {
                throw NoiseError("\(name): a vector without ephemeral keys or messages")
            }
            out.append(NoiseVector(
                index: out.count, protocolName: name, initiatorStatic: fields["init_static"], responderStatic: fields["resp_static"],
                initiatorEphemeral: initiatorEphemeral, responderEphemeral: responderEphemeral, prologue: fields["prologue"] ?? "",
                psk: fields["preshared_key"], messages: messages))
        }
        return out
    }
}

func privateKey(_ text: String?) throws -> X25519PrivateKey? {
    try text.map { try X25519PrivateKey(rawRepresentation: hex($0)) }
}

func publicKey(_ text: String?) throws -> [UInt8]? {
    try privateKey(text).map { $0.publicKey }
}

@Suite struct NoiseVectorTests {
    /// Loaded once; empty when the file is missing, which `theVectorFileIsThere` reports (an argument list
    /// cannot throw).
    static let vectors: [NoiseVector] = {
        guard let text = try? ReferenceData.read(ReferenceData.flynnNoiseVectors, from: "golang-github-flynn-noise-dev") else { return [] }
        return (try? NoiseVector.load(text)) ?? []
    }()

    @Test func theVectorFileIsThere() throws {
        let text = try ReferenceData.read(ReferenceData.flynnNoiseVectors, from: "golang-github-flynn-noise-dev")
        let vectors = try NoiseVector.load(text)
        // 60 patterns (the 12 interactive and 3 one-way fundamental ones with their psk modifiers), 4 variants
        // each: with and without a prologue, with and without handshake payloads.
        #expect(vectors.count == 240)
        #expect(Set(vectors.map(\.protocolName)).count == 60)
        // Every IK variant, four times: the bus's pattern and its psk forms.
        let ik = vectors.map(\.protocolName).filter { $0.hasPrefix("Noise_IK") }
        #expect(ik.sorted() == ["IK", "IKpsk0", "IKpsk1", "IKpsk2"].flatMap { Array(repeating: "Noise_\($0)_25519_ChaChaPoly_BLAKE2s", count: 4) })
    }

    /// Every vector: both sides run the handshake from the vector's keys; every message's ciphertext and the
    /// decrypted payloads must match, both sides must reach the same handshake hash, then the transport
    /// messages.
    @Test(arguments: NoiseVectorTests.vectors.map(\.index))
    func vector(_ index: Int) throws {
        try NoiseVectorTests.replay(NoiseVectorTests.vectors[index])
    }

    /// Runs `vector` through our implementation: every handshake message, the handshake hash (when the vector
    /// has one), and the transport messages.
    static func replay(_ vector: NoiseVector, handshakeHash: String? = nil) throws {
        let (initiator, responder) = try vector.handshakes()
        var index = 0
        while !initiator.isComplete {
            let message = vector.messages[index]
            let (writer, reader) = initiator.isMyTurn ? (initiator, responder) : (responder, initiator)
            let ciphertext = try writer.writeMessage(hex(message.payload))
            #expect(hexText(ciphertext) == message.ciphertext, "\(vector.variant) message \(index)")
            #expect(try reader.readMessage(ciphertext) == hex(message.payload), "\(vector.variant) message \(index)")
            index += 1
        }
        #expect(responder.isComplete)
        #expect(responder.handshakeHash == initiator.handshakeHash)
        if let handshakeHash { #expect(hexText(initiator.handshakeHash) == handshakeHash, "\(vector.variant) handshake hash") }
        let (initiatorSend, initiatorReceive) = try initiator.split()
        let (responderSend, responderReceive) = try responder.split()
        // The file's transport messages alternate, the initiator's first, whoever wrote the last handshake
        // message, and in the one-way patterns too (the Go test's convention): both cipher states get used.
        #expect(index < vector.messages.count, "\(vector.variant): the vector has transport messages")
        for (number, message) in vector.messages[index...].enumerated() {
            let (sender, receiver) = number % 2 == 0 ? (initiatorSend, responderReceive) : (responderSend, initiatorReceive)
            let ciphertext = try sender.encrypt(associated: [], hex(message.payload))
            #expect(hexText(ciphertext) == message.ciphertext, "\(vector.variant) transport message \(index + number)")
            #expect(try receiver.decrypt(associated: [], ciphertext) == hex(message.payload))
        }
    }

    /// The Go file has no handshake hashes: a second implementation (PyPI noiseprotocol) reproduces every
    /// vector byte for byte and gives its hash (`Fixtures/noise/vector_hashes.py`), and ours must match it.
    @Test func handshakeHashesMatchASecondImplementation() throws {
        let script = ReferenceData.repository + "/Tests/Fixtures/noise/vector_hashes.py"
        let lines = try ReferenceData.capture(["python3", script, ReferenceData.flynnNoiseVectors]).split(separator: "\n")
        #expect(lines.count == 240)
        struct Line: Decodable { var index: Int; var `protocol`: String; var hash: String }
        for line in lines {
            let reference = try JSONDecoder().decode(Line.self, from: Data(line.utf8))
            let vector = NoiseVectorTests.vectors[reference.index]
            #expect(vector.protocolName == reference.protocol)
            try NoiseVectorTests.replay(vector, handshakeHash: reference.hash)
        }
    }

    /// The deferred patterns (NK1 … I1X1) are not in the Go file: Debian's python3-dissononce, a second
    /// implementation, makes their vectors with the same keys (`Fixtures/noise/deferred_vectors.py`), and ours
    /// must write the same bytes and reach the same handshake hash.
    @Test func deferredPatternsMatchASecondImplementation() throws {
        let script = ReferenceData.repository + "/Tests/Fixtures/noise/deferred_vectors.py"
        let lines = try ReferenceData.capture(["/usr/bin/python3", script]).split(separator: "\n")
        #expect(lines.count == 23)
        struct Line: Decodable {
            struct Message: Decodable { var payload: String; var ciphertext: String }
            var handshake: String
            var init_static: String
            var resp_static: String
            var gen_init_ephemeral: String
            var gen_resp_ephemeral: String
            var prologue: String
            var messages: [Message]
            var handshake_hash: String
        }
        for (index, text) in lines.enumerated() {
            let line = try JSONDecoder().decode(Line.self, from: Data(text.utf8))
            let vector = NoiseVector(
                index: index, protocolName: line.handshake, initiatorStatic: line.init_static, responderStatic: line.resp_static,
                initiatorEphemeral: line.gen_init_ephemeral, responderEphemeral: line.gen_resp_ephemeral, prologue: line.prologue, psk: nil,
                messages: line.messages.map { ($0.payload, $0.ciphertext) })
            try NoiseVectorTests.replay(vector, handshakeHash: line.handshake_hash)
        }
    }

    @Test func aTamperedMessageIsRejected() throws {
        let responderKey = X25519PrivateKey()
        let initiator = try NoiseHandshake(protocolName: "Noise_IK_25519_ChaChaPoly_BLAKE2s", initiator: true, prologue: [], staticKey: .init(), remoteStatic: responderKey.publicKey)
        let responder = try NoiseHandshake(protocolName: "Noise_IK_25519_ChaChaPoly_BLAKE2s", initiator: false, prologue: [], staticKey: responderKey)
        var first = try initiator.writeMessage([])
        #expect(first.count == 96)
        first[40] ^= 1
        #expect(throws: NoiseError.self) { try responder.readMessage(first) }
    }
}

