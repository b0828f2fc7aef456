/// A position in a source file, 1-based, as editors show it.
public struct SourceMark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceMark, rhs: SourceMark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// A file and a position in it.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var mark: SourceMark

    public init(file: String, mark: SourceMark) {
        self.file = file
        self.mark = mark
    }

    public var description: String { "\(file):\(mark)" }
}

/// A YAML scalar with the facts the strict decoder needs: its text, whether it was quoted, and where it is.
public struct YAMLScalar: Sendable, Hashable {
    public enum Style: Sendable, Hashable {
        /// A plain (unquoted) scalar: YAML 1.2 core-schema resolution applies (`true`, `12`, `null`, ...).
        case plain
        /// Quoted or block scalar, or one tagged `!!str`: always a string.
        case literal
    }

    public var text: String
    public var style: Style
    public var mark: SourceMark

    public init(text: String, style: Style, mark: SourceMark) {
        self.text = text
        self.style = style
        self.mark = mark
    }

    /// True for a plain scalar that YAML 1.2 resolves to null (`~`, `null`, or nothing at all).
    public var isNull: Bool {
        style == .plain && (text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL")
    }
}

/// A key/value pair of a mapping, in document order.
public struct YAMLPair: Sendable {
    public var key: YAMLScalar
    public var value: YAMLNode

    public init(key: YAMLScalar, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// The small node tree the catalog decoder works on. Mapping keys are scalars; pairs keep document order.
/// (Not `indirect`: the recursion goes through arrays, so scalars need no box of their own.)
public enum YAMLNode: Sendable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode], SourceMark)
    case mapping([YAMLPair], SourceMark)

    public var mark: SourceMark {
        switch self {
        case .scalar(let scalar): scalar.mark
        case .sequence(_, let mark), .mapping(_, let mark): mark
        }
    }

    /// A word for error messages: "a string", "a list", "a mapping", "null".
    public var kindDescription: String {
        switch self {
        case .scalar(let scalar):
            if scalar.isNull { return "null" }
            if scalar.style == .literal { return "a string" }
            switch scalar.text {
            case "true", "false", "True", "False", "TRUE", "FALSE": return "a boolean"
            default: return YAMLCore.isInteger(scalar.text) || YAMLCore.isFloat(scalar.text) ? "a number" : "a string"
            }
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// YAML 1.2 core-schema recognisers for plain scalars (no regular expressions: they sit on the hot path).
public enum YAMLCore {
    /// `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`.
    public static func isInteger(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.hasPrefix("0x") {
            return digits.count > 2 && digits.dropFirst(2).allSatisfy(\.isHexDigit)
        }
        if digits.hasPrefix("0o") {
            return digits.count > 2 && digits.dropFirst(2).allSatisfy { ("0"..."7").contains($0) }
        }
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    public static func isFloat(_ text: String) -> Bool {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "-.inf", ".nan", ".NaN", ".NAN": return true
        default: break
        }
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }) else {
            return false
        }
        return Double(text) != nil
    }
}
