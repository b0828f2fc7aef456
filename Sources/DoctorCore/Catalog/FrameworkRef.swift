/// What a compiled catalog keeps of a governance framework: enough to resolve `--governance` names.
public struct FrameworkRef: Sendable, Hashable {
    public var id: String
    public var aliases: [String]
    public var name: String
    public var version: String

    public init(id: String, aliases: [String], name: String, version: String) {
        self.id = id
        self.aliases = aliases
        self.name = name
        self.version = version
    }
}
