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
