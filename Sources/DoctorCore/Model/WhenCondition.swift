/// A condition under which a check applies; when one does not hold, the check is `skip`.
public enum WhenCondition: Sendable {
    /// The variable is defined and not empty.
    case envSet(String)
    /// The variable is undefined or empty.
    case envUnset(String)
    /// The variable equals the value.
    case envEquals(String, Setting)
    case pathExists(Setting)
    case pathAbsent(Setting)

    /// The condition as `explain` and the catalog page say it.
    public var phrase: String {
        switch self {
        case .envSet(let name): "$\(name) is set"
        case .envUnset(let name): "$\(name) is not set"
        case .envEquals(let name, let value): "$\(name) is '\(value.text())'"
        case .pathExists(let path): "\(path.text()) exists"
        case .pathAbsent(let path): "\(path.text()) does not exist"
        }
    }
}
