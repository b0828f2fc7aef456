/// Something a probe observes and an `expect` block can put conditions on.
public struct ObservationSpec: Sendable {
    public var name: String
    public var type: ValueType
    public var summary: String

    public init(_ name: String, _ type: ValueType, _ summary: String) {
        self.name = name
        self.type = type
        self.summary = summary
    }

    /// The operators an expectation on this observation may use (those with an operand type for `type`).
    public var operators: [Operator] { Operator.allCases.filter { $0.operandType(for: type) != nil } }
}
