import CBlake2
import CSodium

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
