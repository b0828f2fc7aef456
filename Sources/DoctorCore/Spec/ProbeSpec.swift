public struct ProbeSpec: Sendable {
    /// The name checks use in `probe.type`.
    public var type: String
    public var summary: String
    public var discussion: String
    public var parameters: [ParameterSpec]
    /// Groups of parameters of which exactly one must be given (e.g. `path`, `glob`, `none`).
    public var exactlyOneOf: [[String]]
    public var observations: [ObservationSpec]
    /// A list parameter whose names become observations too (typed `dynamic`): e.g. `properties:
    /// [ProtectSystem]` lets `expect` name `ProtectSystem`. Nil when the observations are fixed.
    public var namedObservations: String?
    /// The expectations used when a check has no `expect` block, in YAML flow form (e.g. `{exists: true}`).
    public var defaultExpect: String?
    public var examples: [ProbeExample]
    /// The observations that are performance data; nil when there are none.
    public var performanceData: PerformanceData?

    /// A spec built from the probe's keys: each parameter and observation is declared once, as a key that
    /// `init` reads and `observe` writes. `exactlyOneOf` and `namedObservations` name parameters by their keys.
    public init(
        type: String, summary: String, discussion: String = "", parameters: [any ParameterDeclaration],
        exactlyOneOf: [[any ParameterDeclaration]] = [], observations: [ObservationKey],
        namedObservations: ParameterKey<[String]?>? = nil, defaultExpect: String? = nil, examples: [ProbeExample] = [],
        performanceData: PerformanceData? = nil
    ) {
        self.performanceData = performanceData
        self.namedObservations = namedObservations?.name
        self.type = type
        self.summary = summary
        self.discussion = discussion
        self.parameters = parameters.map(\.spec)
        self.exactlyOneOf = exactlyOneOf.map { $0.map(\.spec.name) }
        self.observations = observations.map(\.spec)
        self.defaultExpect = defaultExpect
        self.examples = examples
    }

    public func parameter(_ name: String) -> ParameterSpec? { parameters.first { $0.name == name } }
    public func observation(_ name: String) -> ObservationSpec? { observations.first { $0.name == name } }
}
