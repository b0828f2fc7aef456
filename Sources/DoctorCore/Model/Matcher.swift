/// A comparison an expectation makes. Spelled in YAML by its raw value.
public enum Operator: String, Sendable, CaseIterable {
    case eq, ne, lt, le, gt, ge
    case `in`, notIn = "not_in"
    case matches, notMatches = "not_matches"
    case contains, notContains = "not_contains"
    case within
    case subsetOf = "subset_of"
    case empty

    /// The type of the operand for an observation of type `observed`; nil when the operator does not apply.
    public func operandType(for observed: ValueType) -> ValueType? {
        switch self {
        case .eq, .ne: return observed
        case .lt, .le, .gt, .ge: return observed.isOrdered ? observed : nil
        case .in, .notIn:
            if case .list = observed { return nil }
            return .list(observed)
        case .matches, .notMatches: return .regex
        case .contains, .notContains:
            if case .list(let element) = observed { return element }
            if case .string = observed { return .string }
            if case .dynamic = observed { return .dynamic }
            return nil
        case .within: return observed == .fileMode ? .fileMode : nil
        case .subsetOf:
            if case .list = observed { return observed }
            if case .dynamic = observed { return .list(.dynamic) }
            return nil
        case .empty:
            switch observed {
            case .list, .string, .dynamic: return .bool
            default: return nil
            }
        }
    }

    public var symbol: String {
        switch self {
        case .eq: "=="
        case .ne: "!="
        case .lt: "<"
        case .le: "<="
        case .gt: ">"
        case .ge: ">="
        case .in: "one of"
        case .notIn: "not one of"
        case .matches: "matching"
        case .notMatches: "not matching"
        case .contains: "containing"
        case .notContains: "not containing"
        case .within: "with no bits outside"
        case .subsetOf: "with every element in"
        case .empty: "empty:"
        }
    }
}

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

/// Equality and ordering across the value shapes (numbers compare numerically, principals by id or name).
public enum ValueComparison {
    public static func equal(_ lhs: Value, _ rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.principal(let id, _), .int(let other)): return id == other
        case (.principal(let id, let name), .string(let other)): return name == other || String(id) == other
        case (.int, .double), (.double, .int), (.double, .double): return lhs.asDouble == rhs.asDouble
        case (.list(let a), .list(let b)): return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        default: return lhs == rhs
        }
    }

    /// -1, 0, 1, or nil when the two cannot be ordered.
    public static func order(_ lhs: Value, _ rhs: Value) -> Int? {
        if let a = lhs.asDouble, let b = rhs.asDouble { return a < b ? -1 : (a > b ? 1 : 0) }
        if let a = lhs.asString, let b = rhs.asString { return a < b ? -1 : (a > b ? 1 : 0) }
        return nil
    }

    /// The kinds of two scalars that `op` would compare although they cannot be compared (a string with a
    /// number or a boolean, a number with a boolean), as "a string" and "a number"; nil when they can.
    /// Lists compare element by element: a list operand mismatches when none of its elements has the
    /// observed value's kind and some have another.
    public static func mismatch(_ op: Operator, _ observed: Value, _ operand: Value) -> (observed: String, operand: String)? {
        switch op {
        case .eq, .ne, .lt, .le, .gt, .ge:
            return scalarMismatch(observed, operand)
        case .in, .notIn:
            guard let kind = Kind(observed), let items = operand.asList else { return nil }
            let kinds = items.compactMap(Kind.init)
            guard !kinds.isEmpty, !kinds.contains(kind) else { return nil }
            return (kind.phrase, kinds[0].phrase)
        case .contains, .notContains:
            switch observed {
            case .string: return Kind(operand).flatMap { $0 == .string ? nil : ("a string", $0.phrase) }
            case .list(let items):
                guard let kind = Kind(operand) else { return nil }
                let kinds = items.compactMap(Kind.init)
                guard !kinds.isEmpty, !kinds.contains(kind) else { return nil }
                return ("a list of " + kinds[0].plural, kind.phrase)
            default: return nil
            }
        case .subsetOf:
            guard let items = observed.asList, let allowed = operand.asList else { return nil }
            let allowedKinds = Set(allowed.compactMap(Kind.init))
            guard !allowedKinds.isEmpty else { return nil }
            for item in items {
                if let kind = Kind(item), !allowedKinds.contains(kind), let other = allowed.compactMap(Kind.init).first {
                    return (kind.phrase, "a list of " + other.plural)
                }
            }
            return nil
        case .matches, .notMatches, .within, .empty:
            return nil
        }
    }

    private static func scalarMismatch(_ lhs: Value, _ rhs: Value) -> (observed: String, operand: String)? {
        guard let a = Kind(lhs), let b = Kind(rhs), a != b else { return nil }
        return (a.phrase, b.phrase)
    }

    /// The scalar kinds the mismatch rule tells apart; nil for null, lists and principals (which compare
    /// with both numbers and names).
    enum Kind: Hashable {
        case string, number, bool

        init?(_ value: Value) {
            switch value {
            case .string: self = .string
            case .int, .double: self = .number
            case .bool: self = .bool
            case .null, .list, .principal: return nil
            }
        }

        var phrase: String {
            switch self {
            case .string: "a string"
            case .number: "a number"
            case .bool: "a boolean"
            }
        }

        var plural: String {
            switch self {
            case .string: "strings"
            case .number: "numbers"
            case .bool: "booleans"
            }
        }
    }

    static func contains(_ container: Value, _ element: Value) -> Bool {
        switch container {
        case .list(let items): return items.contains { equal($0, element) }
        case .string(let text): return element.asString.map { text.contains($0) } ?? false
        default: return false
        }
    }
}
