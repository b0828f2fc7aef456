/// One condition: an operator and its operand. Operands that held variables are resolved per run.
public struct Condition: Sendable {
    public var op: Operator
    public var operand: Setting
    public var regex: CompiledRegex?
    public var mark: SourceMark

    public init(op: Operator, operand: Setting, regex: CompiledRegex? = nil, mark: SourceMark) {
        self.op = op
        self.operand = operand
        self.regex = regex
        self.mark = mark
    }
}
