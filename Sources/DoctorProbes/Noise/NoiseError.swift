import CBlake2
import CSodium

/// A handshake or transport failure; the text never contains key material.
struct NoiseError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
