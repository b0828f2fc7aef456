@testable import DoctorProbes

/// The bus envelope decoder on the input as a decrypted frame (the daemon's StatusResponse, and every other
/// message the bus may carry). Anything malformed must end as `Reader.Malformed`.
enum EnvelopeTarget {
    static func run(_ bytes: [UInt8]) {
        _ = try? BusEnvelope.decode(bytes)
    }
}
