import CBlake2
import CSodium

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
