import DoctorCore

/// A bad request: the status is 400 and the text says why.
public struct RequestError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
