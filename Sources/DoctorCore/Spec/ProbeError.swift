import Logging

/// A probe's failure to run (not a failed expectation): the check is reported as `error`.
public struct ProbeError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
