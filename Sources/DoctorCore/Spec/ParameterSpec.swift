/// A parameter a probe takes (`path`, `glob`, `follow_symlinks`, ...).
public struct ParameterSpec: Sendable {
    public var name: String
    public var type: ValueType
    public var summary: String
    public var required: Bool
    public var defaultText: String?

    public init(_ name: String, _ type: ValueType, required: Bool = false, default defaultText: String? = nil, _ summary: String) {
        self.name = name
        self.type = type
        self.summary = summary
        self.required = required
        self.defaultText = defaultText
    }
}
