// Condition and Expectation: a condition exists only as part of an expectation, so both live here.
/// What a check expects of one observation: conditions that must hold (a failure otherwise), plus optional
/// `warn_if` and `fail_if` conditions that turn a value into a warning or a failure when they hold.
///
///     latency: {warn_if: {gt: 250ms}, fail_if: {gt: 2s}}
///     mode: "0600"                # short for {eq: "0600"}
///     type: [file, dir]           # a list for a single-valued observation is short for {in: [...]}
public struct Expectation: Sendable {
    public var observation: String
    public var type: ValueType
    public var must: [Condition]
    public var warnIf: [Condition]
    public var failIf: [Condition]
    public var mark: SourceMark

    public init(
        observation: String, type: ValueType, must: [Condition], warnIf: [Condition] = [], failIf: [Condition] = [],
        mark: SourceMark
    ) {
        self.observation = observation
        self.type = type
        self.must = must
        self.warnIf = warnIf
        self.failIf = failIf
        self.mark = mark
    }
}

extension Expectation {
    /// Resolves every operand against `variables`.
    public func resolve(_ variables: Variables) throws(ResolutionError) -> ResolvedExpectation {
        func clauses(_ conditions: [Condition], _ group: String) throws(ResolutionError) -> [ResolvedExpectation.Clause] {
            var out: [ResolvedExpectation.Clause] = []
            out.reserveCapacity(conditions.count)
            for condition in conditions {
                let field = { "expect.\(observation)\(group).\(condition.op.rawValue)" }
                let operand = try condition.operand.resolve(variables, field: field())
                var regex = condition.regex
                if regex == nil, condition.op == .matches || condition.op == .notMatches, let pattern = operand.asString {
                    do {
                        regex = try CompiledRegex(pattern)
                    } catch {
                        throw ResolutionError(field: field(), mark: condition.mark, message: "invalid regular expression '\(pattern)' in \(field())")
                    }
                }
                out.append(.init(op: condition.op, operand: operand, regex: regex))
            }
            return out
        }
        return ResolvedExpectation(
            observation: observation, type: type,
            must: try clauses(must, ""), warnIf: try clauses(warnIf, ".warn_if"), failIf: try clauses(failIf, ".fail_if"))
    }
}
