import Foundation

/// A program the tests need is missing; the message says how to get it. Tests fail with it, never skip.
public struct ToolMissing: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) { self.message = message }
}

/// An external tool the tests need, from `$PATH`; its absence fails the test with the install command.
public func tool(_ name: String) throws -> String {
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw ToolMissing(message: "'\(name)' is not installed: run ./scripts/bootstrap")
}
