import Logging

/// A probe looks at one part of the system and reports what it saw; it never decides pass or fail itself
/// (except for facts that are failures by nature, reported as `problems`). Expectations are evaluated by the
/// runner from the observations.
///
/// Rules for probe authors:
/// - Honour `context.deadline` and task cancellation: never block without a bound.
/// - Never print or log secret material.
public protocol Probe: Sendable {
    /// The self-description: parameters, observations, docs and examples.
    static var spec: ProbeSpec { get }

    /// Builds the probe from parameters already validated against `spec` and resolved for this run.
    /// Throw `ProbeError` for combinations the types cannot express.
    init(parameters: Parameters) throws(ProbeError)

    /// Observes. Return what was seen; throw `ProbeError` when the probe could not run at all.
    func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput
}

/// A probe's failure to run (not a failed expectation): the check is reported as `error`.
public struct ProbeError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// The resolved parameters of one check. A probe reads them by the keys its spec declares:
/// `parameters[Parameter.path]`, typed by the key; there is no lookup by a name typed again.
public struct Parameters: Sendable {
    let values: [String: Value]
    /// The parameters of the probe's spec: reading a key the spec does not declare is a bug, caught in debug
    /// builds (the tests); nil when built without a spec.
    let declared: [ParameterSpec]?

    public init(_ values: [String: Value], spec: ProbeSpec? = nil) {
        self.values = values
        self.declared = spec?.parameters
    }

    /// The parameter of `key`: typed, and the key's default (if it has one) when the check does not give it.
    public subscript<Reading>(key: ParameterKey<Reading>) -> Reading {
        assert(declared?.contains { $0.name == key.name } ?? true, "parameter '\(key.name)' is read but not declared in the probe's spec")
        return key.read(values[key.name])
    }

    /// Whether the check gives the parameter of `key` (a default does not count).
    public func contains(_ key: any ParameterDeclaration) -> Bool {
        assert(declared?.contains { $0.name == key.spec.name } ?? true, "parameter '\(key.spec.name)' is read but not declared in the probe's spec")
        return values[key.spec.name] != nil
    }
}

/// What a probe gets to work with.
public struct ProbeContext: Sendable {
    /// When the check's time is up. Probes that wait (sockets, buses) must not wait past it.
    public var deadline: ContinuousClock.Instant
    /// The variables of the run (environment, built-ins, `--var`).
    public var variables: Variables
    /// The observations the check's expectations use.
    public var wanted: [String]
    public var logger: Logger
    /// The run's settings for particular probes (`RunOptions.settings`).
    public var settings: ProbeSettings

    public init(deadline: ContinuousClock.Instant, variables: Variables, wanted: [String], logger: Logger, settings: ProbeSettings = ProbeSettings()) {
        self.deadline = deadline
        self.variables = variables
        self.wanted = wanted
        self.logger = logger
        self.settings = settings
    }

    /// Whether an expectation uses `observation`: probes skip costly work nobody asked for (e.g. hashing).
    public func wants(_ observation: ObservationKey) -> Bool { wanted.contains(observation.name) }

    /// Whether an expectation uses the observation a check named itself (a probe's `namedObservations`).
    public func wants(dynamic name: String) -> Bool { wanted.contains(name) }

    public var timeRemaining: Duration { deadline - .now }
    public var isExpired: Bool { ContinuousClock.now >= deadline }
}

/// One observed subject: a file, a unit, a variable. Probes of one thing return one; list forms (glob, units)
/// return one per thing, and every expectation applies to each.
public struct Observation: Sendable {
    /// What was looked at, e.g. the path; nil for the single subject of a check.
    public var subject: String?
    public var values: ObservedValues
    /// Why values are missing, when they are ("does not exist"): used when an expectation finds no value.
    public var missingReason: String?
    /// The observations `missingReason` speaks for; nil for all of them. A reason about one value (a process
    /// whose dumpability cannot be read) must not stand in for the others.
    public internal(set) var reasonCovers: Set<String>?

    public init(subject: String? = nil, values: ObservedValues, missingReason: String? = nil, reasonCovers: [ObservationKey]? = nil) {
        self.subject = subject
        self.values = values
        self.missingReason = missingReason
        self.reasonCovers = reasonCovers.map { Set($0.map(\.name)) }
    }

    /// Whether `missingReason` explains a missing or failed `observation`.
    public func reasonExplains(_ observation: String) -> Bool {
        missingReason != nil && (reasonCovers?.contains(observation) ?? true)
    }
}

/// The outcome of `observe`.
public struct ProbeOutput: Sendable {
    public var observations: [Observation]
    /// Facts that fail the check whatever the expectations say (e.g. "2 files match a 'none' pattern").
    public var problems: [String]
    /// When set, the check does not apply here: it is reported as `skip` with this reason.
    public var skipReason: String?

    public init(observations: [Observation], problems: [String] = [], skipReason: String? = nil) {
        self.observations = observations
        self.problems = problems
        self.skipReason = skipReason
    }

    public static func single(_ values: ObservedValues, missing reason: String? = nil) -> ProbeOutput {
        ProbeOutput(observations: [Observation(values: values, missingReason: reason)])
    }
}

/// The probe types a run knows, by name. Built-ins are registered by `DoctorProbes`; an extension package can
/// register its own next to them.
public struct ProbeRegistry: Sendable {
    public private(set) var types: [String: any Probe.Type] = [:]
    /// Probe types that conform to `BoundedProbe`, decided once (a dynamic cast per check is measurable).
    public private(set) var bounded: Set<String> = []
    /// Probe types that conform to `ProgramRunningProbe`: their checks need a trusted catalog.
    public private(set) var runsPrograms: Set<String> = []

    public init(_ probes: [any Probe.Type] = []) {
        for probe in probes { register(probe) }
    }

    public mutating func register(_ probe: any Probe.Type) {
        precondition(types[probe.spec.type] == nil, "probe type '\(probe.spec.type)' registered twice")
        types[probe.spec.type] = probe
        if probe is any BoundedProbe.Type { bounded.insert(probe.spec.type) }
        if probe is any ProgramRunningProbe.Type { runsPrograms.insert(probe.spec.type) }
    }

    public subscript(type: String) -> (any Probe.Type)? { types[type] }

    /// Probe types sorted by name.
    public var sorted: [any Probe.Type] { types.keys.sorted().compactMap { types[$0] } }
}

/// The values of one observation: a small map that keeps insertion order. Written like a dictionary literal
/// keyed by the probe's observation keys (`[Observed.exists: .bool(true)]`); a probe observes a handful of
/// values, so lookups scan instead of hashing.
public struct ObservedValues: Sendable, ExpressibleByDictionaryLiteral, Sequence {
    public private(set) var pairs: [(name: String, value: Value)]

    public init(dictionaryLiteral elements: (ObservationKey, Value)...) {
        pairs = elements.map { ($0.0.name, $0.1) }
    }

    public init() {
        pairs = []
    }

    /// The value of a declared observation.
    public subscript(key: ObservationKey) -> Value? {
        get { self[dynamic: key.name] }
        set { self[dynamic: key.name] = newValue }
    }

    /// The value of an observation by its name: for names a check chooses itself (a probe's
    /// `namedObservations`, performance data) and for the runner, never for a name the spec declares.
    public subscript(dynamic name: String) -> Value? {
        get { pairs.first { $0.name == name }?.value }
        set {
            if let index = pairs.firstIndex(where: { $0.name == name }) {
                if let newValue { pairs[index].value = newValue } else { pairs.remove(at: index) }
            } else if let newValue {
                pairs.append((name, newValue))
            }
        }
    }

    public var count: Int { pairs.count }

    /// These values with `other`'s added, `other` winning on a shared name.
    public func merging(_ other: ObservedValues) -> ObservedValues {
        var out = self
        for (name, value) in other { out[dynamic: name] = value }
        return out
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: Value)]> { pairs.makeIterator() }
}
