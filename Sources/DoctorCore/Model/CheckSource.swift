/// One fact a check relies on and where it comes from: `upstream` (the file and line of the checked software's
/// source that states it, at the commit its catalog's `upstream` pins) or `policy` (the catalog's own choice,
/// with its reason). Exactly one of the two is set.
public struct CheckSource: Sendable, Equatable {
    public var fact: String
    public var upstream: String?
    public var policy: String?

    public init(fact: String, upstream: String? = nil, policy: String? = nil) {
        self.fact = fact
        self.upstream = upstream
        self.policy = policy
    }
}
