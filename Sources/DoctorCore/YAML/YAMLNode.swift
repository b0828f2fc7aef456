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
