/// One check of the catalog, as loaded and validated. Immutable, and a class so that the many places a check
/// is passed (plans, results, reports) share one copy. Its fields are `CheckValues` (`check.id`,
/// `check.expectations`, … read through to them); `CheckField.all` says how each is written, decoded, stored
/// and shown.
///
/// The read-through properties are spelled out, one line each, rather than a `@dynamicMemberLookup` key path:
/// outside DoctorCore every read through a key path was a runtime key-path projection, and that made a run of
/// 10,000 cached checks 25 % slower (docs/performance.md, issue 19). `CheckTests` checks that every field of
/// `CheckValues` has its line.
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

    @inlinable public var id: String { values.id }
    @inlinable public var title: String { values.title }
    @inlinable public var description: String? { values.description }
    @inlinable public var rationale: String? { values.rationale }
    @inlinable public var category: String { values.category }
    @inlinable public var severity: Severity { values.severity }
    @inlinable public var governance: [(framework: String, controls: [String])] { values.governance }
    @inlinable public var probe: ProbeInvocation { values.probe }
    @inlinable public var governanceExpectations: [(framework: String, expectations: [Expectation])] { values.governanceExpectations }
    @inlinable public var remediation: String? { values.remediation }
    @inlinable public var timeout: Double? { values.timeout }
    @inlinable public var requires: [String] { values.requires }
    @inlinable public var when: [WhenCondition] { values.when }
    @inlinable public var whenReason: String? { values.whenReason }
    @inlinable public var tags: [String] { values.tags }
    @inlinable public var sources: [CheckSource] { values.sources }
    @inlinable public var location: SourceLocation { values.location }
    @inlinable public var expectations: [Expectation] { values.expectations }

    /// The expectations that apply when the run selects `frameworks` (empty: no governance selection).
    public func expectations(selecting frameworks: Set<String>) -> [Expectation] {
        values.expectations + values.governanceExpectations.filter { frameworks.contains($0.framework) }.flatMap(\.expectations)
    }

    public func controls(for framework: String) -> [String] {
        values.governance.first { $0.framework == framework }?.controls ?? []
    }
}
