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
