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
