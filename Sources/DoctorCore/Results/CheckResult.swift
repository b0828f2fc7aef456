/// The result of one check: status, a one-line message, and the evidence (what was observed against what was
/// expected), with timing.
public final class CheckResult: Sendable {
    public let check: Check
    public let status: CheckStatus
    /// A one-line account: what failed, why it was skipped, or (for a pass) the values that were expected.
    public var message: String { storedMessage ?? Evaluation.passMessage(observed, resolved) }
    private let storedMessage: String?
    /// What the probe saw, one entry per subject.
    public let observed: [ObservedSubject]
    /// The expectations as resolved for this run.
    public let resolved: [ResolvedExpectation]
    /// What the check expected: observation → conditions in words (rendered on demand).
    public var expected: [(observation: String, summary: String)] { resolved.map { ($0.observation, $0.summary) } }
    /// Wall-clock start, seconds since the Unix epoch (nil when the check never started).
    public let startedAt: Double?
    public let finishedAt: Double?
    public let duration: Duration
    /// True when the check was pulled into the run because a selected check requires it.
    public let includedAsRequirement: Bool
    /// Which of `observed`'s values are performance data, as the probe's spec says.
    public let performanceData: PerformanceData?

    /// `message` nil means "the pass message", rendered when asked for.
    public init(
        check: Check, status: CheckStatus, message: String?, observed: [ObservedSubject] = [],
        resolved: [ResolvedExpectation] = [], startedAt: Double? = nil, finishedAt: Double? = nil,
        duration: Duration = .zero, includedAsRequirement: Bool = false, performanceData: PerformanceData? = nil
    ) {
        self.performanceData = performanceData
        self.check = check
        self.status = status
        self.storedMessage = message
        self.observed = observed
        self.resolved = resolved
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.duration = duration
        self.includedAsRequirement = includedAsRequirement
    }

    public var durationSeconds: Double { duration.seconds }
}

/// One observed subject with its values rendered for people (and kept typed for machines).
public struct ObservedSubject: Sendable {
    public var subject: String?
    public var values: [ObservedValue]
    /// The verdict on this subject: nil when it passed.
    public var problem: String?

    public init(subject: String?, values: [ObservedValue], problem: String? = nil) {
        self.subject = subject
        self.values = values
        self.problem = problem
    }
}

/// Counts per status.
public struct StatusCounts: Sendable, Equatable {
    public var pass = 0, warn = 0, fail = 0, error = 0, skip = 0

    public init() {}

    public init(_ results: [CheckResult]) {
        for result in results { self[result.status] += 1 }
    }

    public subscript(status: CheckStatus) -> Int {
        get {
            switch status {
            case .pass: pass
            case .warn: warn
            case .fail: fail
            case .error: error
            case .skip: skip
            }
        }
        set {
            switch status {
            case .pass: pass = newValue
            case .warn: warn = newValue
            case .fail: fail = newValue
            case .error: error = newValue
            case .skip: skip = newValue
            }
        }
    }

    public var total: Int { pass + warn + fail + error + skip }
}

/// One observed value with its declared type (so that modes print in octal, durations with units).
public struct ObservedValue: Sendable {
    public var name: String
    public var value: Value
    public var type: ValueType?

    public init(name: String, value: Value, type: ValueType?) {
        self.name = name
        self.value = value
        self.type = type
    }

    public var text: String { value.display(as: type) }
    /// As evidence messages show it (strings quoted).
    public var evidence: String { value.evidence(as: type) }
}
