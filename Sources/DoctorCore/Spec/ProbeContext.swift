import Logging

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
