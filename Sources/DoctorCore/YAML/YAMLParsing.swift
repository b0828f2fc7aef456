/// Reads YAML text into nodes with positions. DoctorCore parses no YAML itself (it links no C library): a
/// `CatalogLoader` and a `GovernanceSource` are given a reader, such as DoctorYAML's libyaml-based `LibYAML`.
public protocol YAMLParsing: Sendable {
    func read(_ bytes: UnsafeBufferPointer<UInt8>) -> (documents: [YAMLNode], problems: [YAMLProblem])
}

extension YAMLParsing {
    public func read(_ text: String) -> (documents: [YAMLNode], problems: [YAMLProblem]) {
        Array(text.utf8).withUnsafeBufferPointer { read($0) }
    }
}

/// A problem found while reading YAML: a syntax error, a duplicate key, or a construct the catalog does not use.
public struct YAMLProblem: Sendable, Hashable {
    public var mark: SourceMark
    public var message: String

    public init(mark: SourceMark, message: String) {
        self.mark = mark
        self.message = message
    }
}
