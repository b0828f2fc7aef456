/// One check of the catalog, as loaded and validated. Immutable, and a class so that the many places a check
/// is passed (plans, results, reports) share one copy.
public final class Check: Sendable {
    public let id: String
    public let title: String
    public let description: String?
    public let rationale: String?
    public let category: String
    public let severity: Severity
    /// Framework → control IDs, in catalog order.
    public let governance: [(framework: String, controls: [String])]
    public let probe: ProbeInvocation
    public let expectations: [Expectation]
    /// Expectations that also apply when the run selects a framework (`governance_expect`): a control of that
    /// framework may ask more than the check's own `expect` (PCI DSS 10.5.1 keeps audit logs 12 months).
    public let governanceExpectations: [(framework: String, expectations: [Expectation])]
    public let remediation: String?
    /// Seconds; nil means the catalog's or the run's default.
    public let timeout: Double?
    public let requires: [String]
    public let when: [WhenCondition]
    public let whenReason: String?
    public let tags: [String]
    /// Where each fact the check relies on comes from (`sources:`): the upstream file and line that states
    /// it, or the catalog's own policy with its reason.
    public let sources: [CheckSource]
    public let location: SourceLocation
    /// The observations the expectations use (computed once).
    public let wanted: [String]

    public init(
        id: String, title: String, description: String? = nil, rationale: String? = nil, category: String,
        severity: Severity, governance: [(framework: String, controls: [String])] = [], probe: ProbeInvocation,
        expectations: [Expectation] = [], governanceExpectations: [(framework: String, expectations: [Expectation])] = [],
        remediation: String? = nil, timeout: Double? = nil, requires: [String] = [],
        when: [WhenCondition] = [], whenReason: String? = nil, tags: [String] = [], sources: [CheckSource] = [], location: SourceLocation
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.rationale = rationale
        self.category = category
        self.severity = severity
        self.governance = governance
        self.probe = probe
        self.expectations = expectations
        self.governanceExpectations = governanceExpectations
        self.remediation = remediation
        self.timeout = timeout
        self.requires = requires
        self.when = when
        self.whenReason = whenReason
        self.tags = tags
        self.sources = sources
        self.location = location
        var wanted = expectations.map(\.observation)
        for entry in governanceExpectations {
            for expectation in entry.expectations where !wanted.contains(expectation.observation) { wanted.append(expectation.observation) }
        }
        self.wanted = wanted
    }

    /// The expectations that apply when the run selects `frameworks` (empty: no governance selection).
    public func expectations(selecting frameworks: Set<String>) -> [Expectation] {
        expectations + governanceExpectations.filter { frameworks.contains($0.framework) }.flatMap(\.expectations)
    }

    public func controls(for framework: String) -> [String] {
        governance.first { $0.framework == framework }?.controls ?? []
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
