/// One observed value with its declared type (so that modes print in octal, durations with units).
public struct ObservedValue: Sendable {
    public var name: String
    public var value: Value
    public var type: ValueType?

    public init(name: String, value: Value, type: ValueType?) {
        self.name = name
        self.value = value
        self.type = type
    }

    public var text: String { value.display(as: type) }
    /// As evidence messages show it (strings quoted).
    public var evidence: String { value.evidence(as: type) }
}
