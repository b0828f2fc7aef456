import CBlake2
import CSodium

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
