/// A problem found while reading YAML: a syntax error, a duplicate key, or a construct the catalog does not use.
public struct YAMLProblem: Sendable, Hashable {
    public var mark: SourceMark
    public var message: String

    public init(mark: SourceMark, message: String) {
        self.mark = mark
        self.message = message
    }
}
