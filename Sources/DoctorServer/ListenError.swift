import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A problem with where `doctor serve` was asked to listen; the message says what to do.
public struct ListenError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
