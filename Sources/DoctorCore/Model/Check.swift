/// One check of the catalog, as loaded and validated. Immutable, and a class so that the many places a check
/// is passed (plans, results, reports) share one copy. Its fields are `CheckValues` (`check.id`,
/// `check.expectations`, … read through to them); `CheckField.all` says how each is written, decoded, stored
/// and shown.
@dynamicMemberLookup
public final class Check: Sendable {
    public let values: CheckValues
    /// The observations the expectations use (computed once).
    public let wanted: [String]

    public init(_ values: CheckValues) {
        self.values = values
        var wanted = values.expectations.map(\.observation)
        for entry in values.governanceExpectations {
            for expectation in entry.expectations where !wanted.contains(expectation.observation) { wanted.append(expectation.observation) }
        }
        self.wanted = wanted
    }

    @inlinable public subscript<T>(dynamicMember field: KeyPath<CheckValues, T>) -> T { values[keyPath: field] }

    /// Spelled out: `expectations(selecting:)` would hide it from the member lookup.
    @inlinable public var expectations: [Expectation] { values.expectations }

    /// The expectations that apply when the run selects `frameworks` (empty: no governance selection).
    public func expectations(selecting frameworks: Set<String>) -> [Expectation] {
        values.expectations + values.governanceExpectations.filter { frameworks.contains($0.framework) }.flatMap(\.expectations)
    }

    public func controls(for framework: String) -> [String] {
        values.governance.first { $0.framework == framework }?.controls ?? []
    }
}

/// The probe a check runs, with its parameters (typed; templated values resolve per run).
public struct ProbeInvocation: Sendable {
    public var type: String
    public var parameters: [(name: String, value: Setting)]
    public var mark: SourceMark

    public init(type: String, parameters: [(name: String, value: Setting)], mark: SourceMark) {
        self.type = type
        self.parameters = parameters
        self.mark = mark
    }
}

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

/// One fact a check relies on and where it comes from: `upstream` (the file and line of the checked software's
/// source that states it, at the commit its catalog's `upstream` pins) or `policy` (the catalog's own choice,
/// with its reason). Exactly one of the two is set.
public struct CheckSource: Sendable, Equatable {
    public var fact: String
    public var upstream: String?
    public var policy: String?

    public init(fact: String, upstream: String? = nil, policy: String? = nil) {
        self.fact = fact
        self.upstream = upstream
        self.policy = policy
    }
}
