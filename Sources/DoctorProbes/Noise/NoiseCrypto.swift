import CBlake2
import Crypto

/// The primitives of `Noise_*_25519_ChaChaPoly_BLAKE2s`: BLAKE2s from libb2, HMAC and HKDF as the Noise
/// specification defines them (section 4.3), ChaCha20-Poly1305 and X25519 from swift-crypto.
enum NoiseCrypto {
    static let hashLength = 32
    static let blockLength = 64

    /// BLAKE2s-256 of the concatenation of `parts` (keyed when `key` is given, for the known-answer tests).
    static func blake2s(_ parts: [UInt8]..., key: [UInt8] = [], length: Int = 32) -> [UInt8] {
        var state = blake2s_state()
        if key.isEmpty {
            blake2s_init(&state, length)
        } else {
            key.withUnsafeBytes { _ = blake2s_init_key(&state, length, $0.baseAddress, key.count) }
        }
        for part in parts {
            part.withUnsafeBytes { _ = blake2s_update(&state, $0.baseAddress, part.count) }
        }
        var out = [UInt8](repeating: 0, count: length)
        out.withUnsafeMutableBytes { _ = blake2s_final(&state, $0.baseAddress, length) }
        withUnsafeMutableBytes(of: &state) { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
        return out
    }

    /// HMAC-BLAKE2s (RFC 2104 with the hash's 64-byte block).
    static func hmac(key: [UInt8], _ data: [UInt8]...) -> [UInt8] {
        var block = key.count > blockLength ? blake2s(key) : key
        block += [UInt8](repeating: 0, count: blockLength - block.count)
        var inner = block.map { $0 ^ 0x36 }
        var outer = block.map { $0 ^ 0x5c }
        defer {
            wipe(&block)
            wipe(&inner)
            wipe(&outer)
        }
        var state = blake2s_state()
        blake2s_init(&state, hashLength)
        inner.withUnsafeBytes { _ = blake2s_update(&state, $0.baseAddress, $0.count) }
        for part in data { part.withUnsafeBytes { _ = blake2s_update(&state, $0.baseAddress, part.count) } }
        var innerHash = [UInt8](repeating: 0, count: hashLength)
        innerHash.withUnsafeMutableBytes { _ = blake2s_final(&state, $0.baseAddress, hashLength) }
        defer { wipe(&innerHash) }
        return blake2s(outer, innerHash)
    }

    /// HKDF(chaining_key, input_key_material, n) of the Noise specification: two or three 32-byte outputs.
    static func hkdf(chainingKey: [UInt8], _ material: [UInt8], outputs: Int) -> [[UInt8]] {
        var temp = hmac(key: chainingKey, material)
        defer { wipe(&temp) }
        let first = hmac(key: temp, [0x01])
        let second = hmac(key: temp, first, [0x02])
        if outputs == 2 { return [first, second] }
        return [first, second, hmac(key: temp, second, [0x03])]
    }

    /// X25519 between a private key and a public key.
    static func dh(_ privateKey: Curve25519.KeyAgreement.PrivateKey, _ publicKey: [UInt8]) throws(NoiseError) -> [UInt8] {
        do {
            let peer = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: publicKey)
            let shared = try privateKey.sharedSecretFromKeyAgreement(with: peer)
            return shared.withUnsafeBytes { Array($0) }
        } catch {
            throw NoiseError("X25519 failed: the peer's public key is not usable")
        }
    }

    /// Overwrites key material before it is released.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
    }
}

/// A handshake or transport failure; the text never contains key material.
struct NoiseError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A CipherState (Noise section 5.1): ChaCha20-Poly1305 with a 64-bit counter nonce (four zero bytes, then the
/// counter little-endian).
final class NoiseCipherState {
    private var key: [UInt8]?
    private(set) var nonce: UInt64 = 0

    init(key: [UInt8]? = nil) {
        self.key = key
    }

    deinit { if key != nil { NoiseCrypto.wipe(&key!) } }

    var hasKey: Bool { key != nil }

    func initializeKey(_ newKey: [UInt8]) {
        if key != nil { NoiseCrypto.wipe(&key!) }
        key = Array(newKey.prefix(32))
        nonce = 0
    }

    private func chachaNonce() throws(NoiseError) -> ChaChaPoly.Nonce {
        guard nonce < UInt64.max else { throw NoiseError("nonce exhausted") }
        var bytes = [UInt8](repeating: 0, count: 4)
        withUnsafeBytes(of: nonce.littleEndian) { bytes += $0 }
        do { return try ChaChaPoly.Nonce(data: bytes) } catch { throw NoiseError("bad nonce") }
    }

    func encrypt(associated: [UInt8], _ plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard let key else { return plaintext }
        let box: ChaChaPoly.SealedBox
        do {
            box = try ChaChaPoly.seal(plaintext, using: SymmetricKey(data: key), nonce: try chachaNonce(), authenticating: associated)
        } catch {
            throw NoiseError("encryption failed")
        }
        nonce += 1
        return Array(box.ciphertext) + Array(box.tag)
    }

    func decrypt(associated: [UInt8], _ ciphertext: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard let key else { return ciphertext }
        guard ciphertext.count >= 16 else { throw NoiseError("a ciphertext of \(ciphertext.count) bytes is shorter than its tag") }
        do {
            let box = try ChaChaPoly.SealedBox(nonce: try chachaNonce(), ciphertext: ciphertext.dropLast(16), tag: ciphertext.suffix(16))
            let plain = try ChaChaPoly.open(box, using: SymmetricKey(data: key), authenticating: associated)
            nonce += 1
            return Array(plain)
        } catch {
            throw NoiseError("decryption failed (wrong key, or the message was altered)")
        }
    }
}

/// A SymmetricState (Noise section 5.2).
final class NoiseSymmetricState {
    private(set) var chainingKey: [UInt8]
    private(set) var hash: [UInt8]
    let cipher = NoiseCipherState()

    init(protocolName: String) {
        let name = Array(protocolName.utf8)
        hash = name.count <= NoiseCrypto.hashLength ? name + [UInt8](repeating: 0, count: NoiseCrypto.hashLength - name.count) : NoiseCrypto.blake2s(name)
        chainingKey = hash
    }

    deinit { NoiseCrypto.wipe(&chainingKey) }

    func mixKey(_ material: [UInt8]) {
        var outputs = NoiseCrypto.hkdf(chainingKey: chainingKey, material, outputs: 2)
        chainingKey = outputs[0]
        cipher.initializeKey(outputs[1])
        NoiseCrypto.wipe(&outputs[1])
    }

    func mixHash(_ data: [UInt8]) {
        hash = NoiseCrypto.blake2s(hash, data)
    }

    func mixKeyAndHash(_ material: [UInt8]) {
        var outputs = NoiseCrypto.hkdf(chainingKey: chainingKey, material, outputs: 3)
        chainingKey = outputs[0]
        mixHash(outputs[1])
        cipher.initializeKey(outputs[2])
        NoiseCrypto.wipe(&outputs[2])
    }

    func encryptAndHash(_ plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
        let ciphertext = try cipher.encrypt(associated: hash, plaintext)
        mixHash(ciphertext)
        return ciphertext
    }

    func decryptAndHash(_ ciphertext: [UInt8]) throws(NoiseError) -> [UInt8] {
        let plaintext = try cipher.decrypt(associated: hash, ciphertext)
        mixHash(ciphertext)
        return plaintext
    }

    /// The two transport CipherStates: initiator-to-responder first.
    func split() -> (NoiseCipherState, NoiseCipherState) {
        var outputs = NoiseCrypto.hkdf(chainingKey: chainingKey, [], outputs: 2)
        defer {
            NoiseCrypto.wipe(&outputs[0])
            NoiseCrypto.wipe(&outputs[1])
        }
        return (NoiseCipherState(key: outputs[0]), NoiseCipherState(key: outputs[1]))
    }
}
