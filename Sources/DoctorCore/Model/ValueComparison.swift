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
