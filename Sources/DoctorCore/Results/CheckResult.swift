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
