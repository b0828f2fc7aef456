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
