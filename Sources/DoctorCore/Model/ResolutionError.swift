/// A catalog value that could not be resolved at run time: the check is reported as `error` with this text.
public struct ResolutionError: Error, Sendable {
    public var field: String
    public var mark: SourceMark
    public var message: String
}
