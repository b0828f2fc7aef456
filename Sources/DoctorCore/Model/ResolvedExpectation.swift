/// An expectation with its operands resolved for one run.
public struct ResolvedExpectation: Sendable {
    public struct Clause: Sendable {
        public var op: Operator
        public var operand: Value
        public var regex: CompiledRegex?
    }

    public var observation: String
    public var type: ValueType
    public var must: [Clause]
    public var warnIf: [Clause]
    public var failIf: [Clause]

    /// The verdict on one observed value (nil: the probe did not observe it). `error`: the check compared
    /// values that cannot be compared (a string with a number), so it says nothing about the host.
    public enum Verdict: Sendable, Equatable {
        case pass
        case warn(String)
        case fail(String)
        case error(String)
    }

    public func evaluate(_ observed: Value?) -> Verdict {
        guard let observed else {
            return .fail("\(observation) was not observed, expected \(describe(must.isEmpty ? failIf : must))")
        }
        let shown = observed.evidence(as: type)
        // One rule for values typed as they come (`dynamic`): a string never equals, orders or contains a number
        // or a boolean. Such a comparison is the check's mistake, not the host's state: an error that says so.
        if type == .dynamic {
            for clause in failIf + must + warnIf {
                if let mismatch = ValueComparison.mismatch(clause.op, observed, clause.operand) {
                    var advice = ""
                    if case .string(let text) = clause.operand, Double(text) != nil, mismatch.observed == "a number" {
                        advice = " (write \(text) unquoted to compare numbers)"
                    }
                    return .error("compared \(mismatch.observed) with \(mismatch.operand): \(observation) is \(shown), expected \(describe([clause]))\(advice)")
                }
            }
        }
        for clause in failIf where holds(clause, observed) {
            return .fail("\(observation) is \(shown) (fail if \(describe([clause])))")
        }
        let broken = must.filter { !holds($0, observed) }
        if !broken.isEmpty {
            return .fail("\(observation) is \(shown), expected \(describe(broken))")
        }
        for clause in warnIf where holds(clause, observed) {
            return .warn("\(observation) is \(shown) (warn if \(describe([clause])))")
        }
        return .pass
    }

    /// The expectation in words, for evidence: "== 0600", "warn if > 250ms; fail if > 2s".
    public var summary: String {
        var parts: [String] = []
        if !must.isEmpty { parts.append(describe(must)) }
        if !warnIf.isEmpty { parts.append("warn if " + describe(warnIf)) }
        if !failIf.isEmpty { parts.append("fail if " + describe(failIf)) }
        return parts.joined(separator: "; ")
    }

    func describe(_ clauses: [Clause]) -> String {
        clauses.map { clause in
            let operandType: ValueType = clause.op.operandType(for: type) ?? type
            let shown: String
            if clause.op == .matches || clause.op == .notMatches {
                shown = "/\(clause.regex?.pattern ?? clause.operand.display())/"
            } else {
                shown = clause.operand.evidence(as: operandType)
            }
            return "\(clause.op.symbol) \(shown)"
        }.joined(separator: " and ")
    }

    func holds(_ clause: ResolvedExpectation.Clause, _ observed: Value) -> Bool {
        switch clause.op {
        case .eq: return ValueComparison.equal(observed, clause.operand)
        case .ne: return !ValueComparison.equal(observed, clause.operand)
        case .lt: return ValueComparison.order(observed, clause.operand).map { $0 < 0 } ?? false
        case .le: return ValueComparison.order(observed, clause.operand).map { $0 <= 0 } ?? false
        case .gt: return ValueComparison.order(observed, clause.operand).map { $0 > 0 } ?? false
        case .ge: return ValueComparison.order(observed, clause.operand).map { $0 >= 0 } ?? false
        case .in:
            // A list written for a value typed as it comes compares a list observation whole.
            if type == .dynamic, case .list = observed { return ValueComparison.equal(observed, clause.operand) }
            return clause.operand.asList?.contains { ValueComparison.equal(observed, $0) } ?? false
        case .notIn: return !(clause.operand.asList?.contains { ValueComparison.equal(observed, $0) } ?? false)
        case .matches: return clause.regex?.matches(observed.display(as: type)) ?? false
        case .notMatches: return !(clause.regex?.matches(observed.display(as: type)) ?? false)
        case .contains: return ValueComparison.contains(observed, clause.operand)
        case .notContains: return !ValueComparison.contains(observed, clause.operand)
        case .within:
            guard let mode = observed.asInt, let mask = clause.operand.asInt else { return false }
            return mode & ~mask == 0
        case .subsetOf:
            guard let items = observed.asList, let allowed = clause.operand.asList else { return false }
            return items.allSatisfy { item in allowed.contains { ValueComparison.equal(item, $0) } }
        case .empty:
            let isEmpty: Bool
            switch observed {
            case .list(let items): isEmpty = items.isEmpty
            case .string(let text): isEmpty = text.isEmpty
            case .null: isEmpty = true
            default: isEmpty = false
            }
            return isEmpty == (clause.operand.asBool ?? true)
        }
    }
}
