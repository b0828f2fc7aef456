@testable import DoctorProbes

/// The Noise IK initiator as the `noise-ik` probe drives it: a valid first message written, then the input read
/// as the responder's answer. Decryption failures and short messages must end as a clean `NoiseError`.
enum NoiseTarget {
    static let serverKey = X25519PrivateKey().publicKey
    static let clientKey = try! X25519PrivateKey(rawRepresentation: (0..<32).map { UInt8($0 &* 7 &+ 1) })

    static func run(_ bytes: [UInt8]) {
        do throws(NoiseError) {
            let state = try NoiseHandshake(
                protocolName: BusSession.protocolName, initiator: true, prologue: Array("fuzz prologue".utf8),
                staticKey: clientKey, remoteStatic: serverKey)
            _ = try state.writeMessage([])
            _ = try state.readMessage(bytes)
            _ = try state.split()
        } catch {}
    }
}
