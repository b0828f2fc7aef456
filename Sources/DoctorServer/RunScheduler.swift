public import DoctorCore
import Foundation

/// Runs the catalog for `doctor serve`: on an interval and on demand, never more than one run at a time. Callers
/// that ask while a run is in flight share it; readers that only want the last complete result never wait.
public actor RunScheduler {
    /// Performs one run; `onResult` is called as each check finishes.
    public typealias Perform = @Sendable (_ onResult: @escaping @Sendable (CheckResult) -> Void) async -> RunReport

    /// The last complete run and what serving it needs.
    public struct Snapshot: Sendable {
        public var report: RunReport
        /// The number of the run (1 for the first).
        public var run: Int
    }

    private let perform: Perform
    private let hub: EventHub
    private let checkCount: Int
    /// On-demand requests never start a run when the last one is younger than this.
    public let minimumAge: Double
    private var latestSnapshot: Snapshot?
    private var inFlight: Task<Snapshot, Never>?
    private var inFlightStartedAt: Double?
    private var runs = 0
    private var completed = 0
    private var finishedListeners: [@Sendable (Snapshot) -> Void] = []

    public init(checkCount: Int, minimumAge: Double, hub: EventHub, perform: @escaping Perform) {
        self.checkCount = checkCount
        self.minimumAge = minimumAge
        self.hub = hub
        self.perform = perform
    }

    /// The last complete run, however old (nil before the first run finishes).
    public var latest: Snapshot? { latestSnapshot }

    /// When the run in flight started, or nil when none is.
    public var runInProgressSince: Double? { inFlightStartedAt }

    public var completedRuns: Int { completed }

    /// Called after every run, on the scheduler (readiness, status lines).
    public func onFinished(_ listener: @escaping @Sendable (Snapshot) -> Void) {
        finishedListeners.append(listener)
    }

    /// A result no older than `maxAge` seconds (never younger than the minimum age allows): the last one when it
    /// is fresh enough, else the run in flight, else a new run.
    public func fresh(maxAge: Double) async -> Snapshot {
        let bound = max(maxAge, minimumAge)
        if let latestSnapshot, Date().timeIntervalSince1970 - latestSnapshot.report.finishedAt <= bound { return latestSnapshot }
        return await runNow()
    }

    /// Joins the run in flight, or starts one.
    public func runNow() async -> Snapshot {
        if let inFlight { return await inFlight.value }
        runs += 1
        let number = runs
        let startedAt = Date().timeIntervalSince1970
        inFlightStartedAt = startedAt
        let (perform, hub, checkCount) = (self.perform, self.hub, self.checkCount)
        let task = Task {
            hub.publish(.runStarted(run: number, startedAt: startedAt, checks: checkCount))
            let report = await perform { result in
                hub.publish(numbered: { .check(run: number, sequence: $0, result: result) })
            }
            let snapshot = Snapshot(report: report, run: number)
            self.finish(snapshot)
            return snapshot
        }
        inFlight = task
        return await task.value
    }

    /// Runs now and then every `interval` seconds (start to start; a run longer than that is followed at once)
    /// until the calling task is cancelled.
    public func runPeriodically(every interval: Double) async {
        while !Task.isCancelled {
            let started = ContinuousClock.now
            _ = await runNow()
            let left = DurationText.clock(interval) - (ContinuousClock.now - started)
            if left > .zero { try? await Task.sleep(for: left) }
        }
    }

    /// Cancels the run in flight (its report, partial, is still kept).
    public func cancel() {
        inFlight?.cancel()
    }

    private func finish(_ snapshot: Snapshot) {
        latestSnapshot = snapshot
        completed += 1
        inFlight = nil
        inFlightStartedAt = nil
        hub.publish(.runFinished(run: snapshot.run, report: snapshot.report))
        for listener in finishedListeners { listener(snapshot) }
    }
}
