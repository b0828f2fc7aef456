/// A parameter a probe takes (`path`, `glob`, `follow_symlinks`, ...).
public struct ParameterSpec: Sendable {
    public var name: String
    public var type: ValueType
    public var summary: String
    public var required: Bool
    public var defaultText: String?

    public init(_ name: String, _ type: ValueType, required: Bool = false, default defaultText: String? = nil, _ summary: String) {
        self.name = name
        self.type = type
        self.summary = summary
        self.required = required
        self.defaultText = defaultText
    }
}

/// Something a probe observes and an `expect` block can put conditions on.
public struct ObservationSpec: Sendable {
    public var name: String
    public var type: ValueType
    public var summary: String

    public init(_ name: String, _ type: ValueType, _ summary: String) {
        self.name = name
        self.type = type
        self.summary = summary
    }

    /// The operators an expectation on this observation may use (those with an operand type for `type`).
    public var operators: [Operator] { Operator.allCases.filter { $0.operandType(for: type) != nil } }
}

/// A worked example shown in the generated docs and run by the tests on the demo host.
public struct ProbeExample: Sendable {
    public var title: String
    /// A complete check in YAML.
    public var yaml: String
    /// What the check reports on the demo hosts (`ProbeExampleTests` holds it to them).
    public var outcomes: [ExampleOutcome]

    public init(_ title: String, _ yaml: String, _ outcomes: ExampleOutcome...) {
        self.title = title
        self.yaml = yaml
        self.outcomes = outcomes
    }
}

/// Everything a probe says about itself. The loader validates parameters and expectations against it, the
/// JSON Schema and the reference pages in `docs/probes/` are generated from it.
/// Which observations of a probe are performance data (numbers the metric formats export, such as a Nagios
/// plugin's `perf.<label>`), and where each one's unit is: `prefix` + label, and `prefix` + label + `unitSuffix`.
/// Formatters read this from the result, never a probe's name.
public struct PerformanceData: Sendable, Hashable {
    public var prefix: String
    public var unitSuffix: String

    public init(prefix: String, unitSuffix: String) {
        self.prefix = prefix
        self.unitSuffix = unitSuffix
    }
}

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
