/// A regular expression compiled once, at load time or when its variables are expanded. A class, so that the
/// conditions holding it share one compiled program.
public final class CompiledRegex: @unchecked Sendable, Hashable {
    // `Regex` is an immutable value; its output type is what keeps it from being `Sendable`.
    public let regex: Regex<AnyRegexOutput>
    public let pattern: String

    public init(_ pattern: String) throws {
        self.regex = try Regex(pattern)
        self.pattern = pattern
    }

    public func matches(_ text: String) -> Bool {
        (try? regex.firstMatch(in: text)) != nil
    }

    public static func == (lhs: CompiledRegex, rhs: CompiledRegex) -> Bool { lhs.pattern == rhs.pattern }
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }
}
