import CBlake2
import CSodium

/// The primitives of `Noise_*_25519_ChaChaPoly_BLAKE2s`: BLAKE2s from libb2, HMAC and HKDF as the Noise
/// specification defines them (section 4.3), ChaCha20-Poly1305 (IETF, 96-bit nonce) and X25519 from libsodium.
enum NoiseCrypto {
    static let hashLength = 32
    static let blockLength = 64

    /// libsodium initialised (idempotent and thread-safe; it picks its implementations and seeds its RNG).
    static let sodiumReady: Bool = sodium_init() >= 0

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

    /// X25519 between a private key and a public key. libsodium refuses a result of all zeros (a peer key of
    /// small order), as the Noise specification allows and swift-crypto did.
    static func dh(_ privateKey: X25519PrivateKey, _ publicKey: [UInt8]) throws(NoiseError) -> [UInt8] {
        // (A private key exists only once libsodium is initialised.)
        guard publicKey.count == 32 else { throw NoiseError("X25519 failed: the peer's public key is \(publicKey.count) bytes, not 32") }
        var shared = [UInt8](repeating: 0, count: 32)
        let rc = shared.withUnsafeMutableBufferPointer { out in
            publicKey.withUnsafeBufferPointer { peer in privateKey.withBytes { crypto_scalarmult(out.baseAddress!, $0, peer.baseAddress!) } }
        }
        guard rc == 0 else {
            wipe(&shared)
            throw NoiseError("X25519 failed: the peer's public key is not usable")
        }
        return shared
    }

    /// Overwrites key material before it is released.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
    }
}

/// An X25519 private key: 32 bytes in memory of its own, overwritten when the key is released. Its public key is
/// computed once. Never printed.
final class X25519PrivateKey: @unchecked Sendable {
    // Written only in init and deinit: the key is immutable in between, so it may cross tasks.
    private let storage: UnsafeMutableBufferPointer<UInt8>
    let publicKey: [UInt8]

    /// A fresh key from libsodium's random source.
    convenience init() {
        var bytes = [UInt8](repeating: 0, count: 32)
        precondition(NoiseCrypto.sodiumReady, "libsodium could not be initialised")
        bytes.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, 32) }
        defer { NoiseCrypto.wipe(&bytes) }
        try! self.init(rawRepresentation: bytes)
    }

    /// The key of these 32 bytes (clamped by X25519 itself, as RFC 7748 says).
    init(rawRepresentation bytes: some Collection<UInt8>) throws(NoiseError) {
        guard bytes.count == 32 else { throw NoiseError("an X25519 private key is 32 bytes, not \(bytes.count)") }
        guard NoiseCrypto.sodiumReady else { throw NoiseError("libsodium could not be initialised") }
        let key = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 32)
        _ = key.initialize(from: bytes)
        var derived = [UInt8](repeating: 0, count: 32)
        _ = derived.withUnsafeMutableBufferPointer { crypto_scalarmult_base($0.baseAddress!, UnsafePointer(key.baseAddress!)) }
        storage = key
        publicKey = derived
    }

    func withBytes<Result>(_ body: (UnsafePointer<UInt8>) -> Result) -> Result { body(UnsafePointer(storage.baseAddress!)) }

    deinit {
        sodium_memzero(storage.baseAddress!, 32)
        storage.deallocate()
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

    /// The 96-bit nonce: four zero bytes, then the counter little-endian.
    private func chachaNonce() throws(NoiseError) -> [UInt8] {
        guard nonce < UInt64.max else { throw NoiseError("nonce exhausted") }
        var bytes = [UInt8](repeating: 0, count: 4)
        withUnsafeBytes(of: nonce.littleEndian) { bytes += $0 }
        return bytes
    }

    /// The ciphertext with its 16-byte tag appended.
    func encrypt(associated: [UInt8], _ plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard let key else { return plaintext }
        let nonceBytes = try chachaNonce()
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        var written: UInt64 = 0
        let rc = out.withUnsafeMutableBufferPointer { output in
            crypto_aead_chacha20poly1305_ietf_encrypt(
                output.baseAddress!, &written, plaintext, UInt64(plaintext.count), associated, UInt64(associated.count), nil, nonceBytes, key)
        }
        guard rc == 0, written == UInt64(out.count) else { throw NoiseError("encryption failed") }
        nonce += 1
        return out
    }

    func decrypt(associated: [UInt8], _ ciphertext: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard let key else { return ciphertext }
        guard ciphertext.count >= 16 else { throw NoiseError("a ciphertext of \(ciphertext.count) bytes is shorter than its tag") }
        let nonceBytes = try chachaNonce()
        // One byte more than the plaintext, so that an empty one still has an address to be written to.
        var out = [UInt8](repeating: 0, count: ciphertext.count - 16 + 1)
        var written: UInt64 = 0
        let rc = out.withUnsafeMutableBufferPointer { output in
            crypto_aead_chacha20poly1305_ietf_decrypt(
                output.baseAddress!, &written, nil, ciphertext, UInt64(ciphertext.count), associated, UInt64(associated.count), nonceBytes, key)
        }
        guard rc == 0, written == UInt64(ciphertext.count - 16) else {
            NoiseCrypto.wipe(&out)
            throw NoiseError("decryption failed (wrong key, or the message was altered)")
        }
        nonce += 1
        out.removeLast()
        return out
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
