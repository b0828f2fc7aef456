/// A HandshakeState (Noise section 5.3) for the 25519 / ChaChaPoly / BLAKE2s suite. Private keys live in
/// `X25519PrivateKey` (wiped on release); the doctor never prints them.
final class NoiseHandshake {
    typealias PrivateKey = X25519PrivateKey

    let pattern: NoisePattern
    let initiator: Bool
    let symmetric: NoiseSymmetricState
    private var staticKey: PrivateKey?
    private var ephemeralKey: PrivateKey?
    private(set) var remoteStatic: [UInt8]?
    private(set) var remoteEphemeral: [UInt8]?
    private var psk: [UInt8]?
    private var messageIndex = 0

    /// `ephemeral` is for test vectors only; otherwise a fresh key is generated when the pattern needs one.
    init(
        protocolName: String, initiator: Bool, prologue: [UInt8], staticKey: PrivateKey? = nil,
        remoteStatic: [UInt8]? = nil, ephemeral: PrivateKey? = nil, psk: [UInt8]? = nil
    ) throws(NoiseError) {
        let parts = protocolName.split(separator: "_")
        guard parts.count == 5, parts[0] == "Noise", parts[2] == "25519", parts[3] == "ChaChaPoly", parts[4] == "BLAKE2s" else {
            throw NoiseError("unsupported protocol '\(protocolName)': only Noise_*_25519_ChaChaPoly_BLAKE2s")
        }
        pattern = try NoisePattern(String(parts[1]))
        self.initiator = initiator
        self.staticKey = staticKey
        self.remoteStatic = remoteStatic
        self.ephemeralKey = ephemeral
        self.psk = psk
        if pattern.usesPSK, psk?.count != 32 { throw NoiseError("pattern \(pattern.name) needs a 32-byte pre-shared key") }
        symmetric = NoiseSymmetricState(protocolName: protocolName)
        symmetric.mixHash(prologue)
        // Pre-messages: the initiator's first, each side's static public keys as the pattern says.
        for (sideIsInitiator, tokens) in [(true, pattern.initiatorPre), (false, pattern.responderPre)] {
            for token in tokens where token == .s {
                let key: [UInt8]?
                if sideIsInitiator == initiator {
                    key = staticKey.map(\.publicKey)
                } else {
                    key = remoteStatic
                }
                guard let key, key.count == 32 else {
                    throw NoiseError("pattern \(pattern.name) needs the \(sideIsInitiator ? "initiator" : "responder")'s static public key before the handshake")
                }
                symmetric.mixHash(key)
            }
        }
    }

    deinit { if psk != nil { NoiseCrypto.wipe(&psk!) } }

    var isComplete: Bool { messageIndex >= pattern.messages.count }
    var handshakeHash: [UInt8] { symmetric.hash }

    /// Whether the next handshake message is ours to write.
    var isMyTurn: Bool { (messageIndex % 2 == 0) == initiator }

    private func dh(_ token: NoisePattern.Token) throws(NoiseError) -> [UInt8] {
        // es: initiator's e with responder's s; se: initiator's s with responder's e.
        let (mine, theirs): (PrivateKey?, [UInt8]?)
        switch (token, initiator) {
        case (.ee, _): (mine, theirs) = (ephemeralKey, remoteEphemeral)
        case (.ss, _): (mine, theirs) = (staticKey, remoteStatic)
        case (.es, true), (.se, false): (mine, theirs) = (ephemeralKey, remoteStatic)
        case (.es, false), (.se, true): (mine, theirs) = (staticKey, remoteEphemeral)
        default: throw NoiseError("not a DH token")
        }
        guard let mine, let theirs else { throw NoiseError("token '\(token.rawValue)' of \(pattern.name) lacks a key") }
        return try NoiseCrypto.dh(mine, theirs)
    }

    func writeMessage(_ payload: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard !isComplete, isMyTurn else { throw NoiseError("not our turn to write a handshake message") }
        var out: [UInt8] = []
        for token in pattern.messages[messageIndex] {
            switch token {
            case .e:
                let key = ephemeralKey ?? PrivateKey()
                ephemeralKey = key
                let publicKey = key.publicKey
                out += publicKey
                symmetric.mixHash(publicKey)
                if pattern.usesPSK { symmetric.mixKey(publicKey) }
            case .s:
                guard let staticKey else { throw NoiseError("pattern \(pattern.name) needs our static key") }
                out += try symmetric.encryptAndHash(staticKey.publicKey)
            case .psk:
                symmetric.mixKeyAndHash(psk ?? [])
            case .ee, .es, .se, .ss:
                var secret = try dh(token)
                symmetric.mixKey(secret)
                NoiseCrypto.wipe(&secret)
            }
        }
        out += try symmetric.encryptAndHash(payload)
        messageIndex += 1
        return out
    }

    func readMessage(_ message: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard !isComplete, !isMyTurn else { throw NoiseError("not our turn to read a handshake message") }
        var rest = ArraySlice(message)
        func take(_ count: Int) throws(NoiseError) -> [UInt8] {
            guard rest.count >= count else { throw NoiseError("handshake message \(messageIndex + 1) is \(message.count) bytes, too short") }
            let part = Array(rest.prefix(count))
            rest = rest.dropFirst(count)
            return part
        }
        for token in pattern.messages[messageIndex] {
            switch token {
            case .e:
                let publicKey = try take(32)
                remoteEphemeral = publicKey
                symmetric.mixHash(publicKey)
                if pattern.usesPSK { symmetric.mixKey(publicKey) }
            case .s:
                let encrypted = try take(symmetric.cipher.hasKey ? 48 : 32)
                remoteStatic = try symmetric.decryptAndHash(encrypted)
            case .psk:
                symmetric.mixKeyAndHash(psk ?? [])
            case .ee, .es, .se, .ss:
                var secret = try dh(token)
                symmetric.mixKey(secret)
                NoiseCrypto.wipe(&secret)
            }
        }
        let payload = try symmetric.decryptAndHash(Array(rest))
        messageIndex += 1
        return payload
    }

    /// The transport ciphers once the handshake is complete: (sending, receiving) for this side.
    func split() throws(NoiseError) -> (send: NoiseCipherState, receive: NoiseCipherState) {
        guard isComplete else { throw NoiseError("the handshake is not complete") }
        let (first, second) = symmetric.split()
        return initiator ? (first, second) : (second, first)
    }
}
