import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs checks: bounded concurrency, per-check timeouts, a global deadline, `requires` and `when`, and a
/// result for every check whatever happens. Results come back in the order of the plan (catalog order).
public struct Runner: Sendable {
    public var registry: ProbeRegistry
    public var options: RunOptions
    public var logger: Logger
    /// Called as each result is known (in completion order): live output, event streams.
    public var onResult: (@Sendable (CheckResult) -> Void)?

    public init(registry: ProbeRegistry, options: RunOptions, logger: Logger = Logger(label: "doctor.runner"), onResult: (@Sendable (CheckResult) -> Void)? = nil) {
        self.registry = registry
        self.options = options
        self.logger = logger
        self.onResult = onResult
    }

    /// Why a run ended early.
    public enum Stop: Sendable, Equatable {
        case deadline(Double)
        case interrupted(String)

        public var text: String {
            switch self {
            case .deadline(let seconds): "run deadline of \(DurationText.format(seconds: seconds)) exceeded"
            case .interrupted(let signal): "interrupted by \(signal)"
            }
        }
    }

    public struct Outcome: Sendable {
        public var results: [CheckResult]
        public var stop: Stop?
    }

    /// Runs `plan`. Cancelling the calling task (SIGINT/SIGTERM in the CLI) stops the run cleanly: checks in
    /// flight end as `skip` ("interrupted"), checks not started are `skip` too, and `stop` says why.
    ///
    /// `jobs` workers pull checks in schedule order (a check after the checks it requires), so there is one
    /// task per worker, not per check. A check waiting for its requirements only waits for checks that were
    /// pulled earlier, so the pool cannot deadlock.
    public func run(_ plan: [(check: Check, asRequirement: Bool)], interruption: @escaping @Sendable () -> String? = { nil }) async -> Outcome {
        let start = ContinuousClock.now
        let runDeadline = options.deadline.map { start + DurationText.clock($0) }
        let order = Runner.schedule(plan.map(\.check))
        let board = ResultBoard()
        // Only results some check waits for go on the board.
        let awaited = Set(plan.flatMap(\.check.requires))
        let queue = WorkQueue(count: order.count)
        let stop = StopFlag(deadline: runDeadline, seconds: options.deadline, interruption: interruption)

        let workers = max(1, min(options.jobs, order.count))
        let gathered = await withTaskGroup(of: [(Int, CheckResult)].self) { group in
            for _ in 0..<workers {
                group.addTask {
                    var done: [(Int, CheckResult)] = []
                    while let position = queue.next() {
                        let index = order[position]
                        let entry = plan[index]
                        let result: CheckResult
                        if let reason = stop.reason() {
                            result = Runner.notRun(entry.check, reason: reason, asRequirement: entry.asRequirement)
                        } else {
                            logger.trace("start", metadata: ["check": "\(entry.check.id)"])
                            result = await self.execute(entry.check, asRequirement: entry.asRequirement, board: board, runDeadline: runDeadline, interruption: interruption)
                            if logger.logLevel <= .debug {
                                logger.debug("\(result.status.rawValue)", metadata: [
                                    "check": "\(result.check.id)", "seconds": "\(result.durationSeconds)", "message": "\(result.message)",
                                ])
                            }
                        }
                        if !awaited.isEmpty, awaited.contains(entry.check.id) { board.post(entry.check.id, result.status) }
                        onResult?(result)
                        done.append((index, result))
                    }
                    return done
                }
            }
            var all = [CheckResult?](repeating: nil, count: plan.count)
            for await part in group {
                for (index, result) in part { all[index] = result }
            }
            return all
        }
        return Outcome(results: gathered.compactMap { $0 }, stop: stop.reason())
    }

    /// Why the run should stop, decided once: an interruption, cancellation, or the run deadline.
    final class StopFlag: Sendable {
        private let decided = Mutex<Stop?>(nil)
        private let deadline: ContinuousClock.Instant?
        private let seconds: Double?
        private let interruption: @Sendable () -> String?

        init(deadline: ContinuousClock.Instant?, seconds: Double?, interruption: @escaping @Sendable () -> String?) {
            self.deadline = deadline
            self.seconds = seconds
            self.interruption = interruption
        }

        func reason() -> Stop? {
            if let known = decided.withLock({ $0 }) { return known }
            var reason: Stop?
            if let signal = interruption() {
                reason = .interrupted(signal)
            } else if Task.isCancelled {
                reason = .interrupted("cancellation")
            } else if let deadline, let seconds, ContinuousClock.now >= deadline {
                reason = .deadline(seconds)
            }
            guard let reason else { return nil }
            return decided.withLock { current in
                if current == nil { current = reason }
                return current
            }
        }
    }

    /// Catalog order, except that a check comes after the checks it requires.
    static func schedule(_ checks: [Check]) -> [Int] {
        let position = Dictionary(checks.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var placed = [Bool](repeating: false, count: checks.count)
        var order: [Int] = []
        order.reserveCapacity(checks.count)
        func place(_ index: Int, depth: Int) {
            guard !placed[index], depth < checks.count else { return }
            placed[index] = true
            for required in checks[index].requires {
                if let dependency = position[required] { place(dependency, depth: depth + 1) }
            }
            order.append(index)
        }
        for index in checks.indices { place(index, depth: 0) }
        return order
    }

    static func notRun(_ check: Check, reason: Stop, asRequirement: Bool) -> CheckResult {
        switch reason {
        case .deadline:
            return CheckResult(check: check, status: .error, message: "not run: \(reason.text)", includedAsRequirement: asRequirement)
        case .interrupted:
            return CheckResult(check: check, status: .skip, message: "not run: \(reason.text)", includedAsRequirement: asRequirement)
        }
    }

    // MARK: - One check

    func timeout(of check: Check) -> Double {
        check.timeout ?? options.timeoutOverride ?? options.defaultTimeout
    }

    func execute(_ check: Check, asRequirement: Bool, board: ResultBoard, runDeadline: ContinuousClock.Instant?, interruption: @escaping @Sendable () -> String?) async -> CheckResult {
        func result(_ status: CheckStatus, _ message: String) -> CheckResult {
            CheckResult(check: check, status: status, message: message, includedAsRequirement: asRequirement)
        }
        // Requirements first.
        for required in check.requires {
            let status = await board.status(of: required)
            if status != .pass && status != .warn {
                return result(.skip, "requires '\(required)', which is \(status.rawValue)")
            }
        }
        // Applicability.
        let variables = options.variables
        switch Runner.applies(check, variables) {
        case .success(let reason?): return result(.skip, reason)
        case .failure(let error): return result(.error, Runner.describe(error, check))
        case .success(nil): break
        }
        // Resolve parameters and expectations for this run.
        guard let probeType = registry[check.probe.type] else {
            return result(.error, "probe type '\(check.probe.type)' is not available in this build")
        }
        var resolvedParameters: [String: Value] = [:]
        var expectations: [ResolvedExpectation] = []
        do throws(ResolutionError) {
            for parameter in check.probe.parameters {
                resolvedParameters[parameter.name] = try parameter.value.resolve(variables, field: "probe.\(parameter.name)")
            }
            for expectation in check.expectations(selecting: options.frameworks) { expectations.append(try expectation.resolve(variables)) }
        } catch {
            return result(.error, Runner.describe(error, check))
        }
        let probe: any Probe
        do throws(ProbeError) {
            probe = try probeType.init(parameters: Parameters(resolvedParameters, spec: probeType.spec))
        } catch {
            return result(.error, "probe '\(check.probe.type)': \(error.message)")
        }

        // Observe, bounded by the check's timeout and the run's deadline.
        let seconds = timeout(of: check)
        let startWall = Runner.wallClock()
        let started = ContinuousClock.now
        var deadline = started + DurationText.clock(seconds)
        if let runDeadline, runDeadline < deadline { deadline = runDeadline }
        let context = ProbeContext(deadline: deadline, variables: variables, wanted: check.wanted, logger: logger, settings: options.settings)

        // Bounded probes run inline; the others race their deadline on a thread of their own. Either way the
        // check ends one of three ways, handled once below.
        let ending: DeadlineRace.Outcome<Result<ProbeOutput, ProbeError>>
        if registry.bounded.contains(check.probe.type) {
            let result = await Runner.observe(probe, context)
            if Task.isCancelled {
                ending = .cancelled
            } else if case .failure = result, ContinuousClock.now >= deadline {
                ending = .timedOut
            } else {
                ending = .finished(result)
            }
        } else {
            ending = await DeadlineRace.run(until: deadline, { await Runner.observe(probe, context) })
        }
        let observed: Result<ProbeOutput, ProbeError>
        switch ending {
        case .finished(let outcome):
            observed = outcome
        case .timedOut:
            let message = runDeadline == deadline && options.deadline != nil
                ? "stopped: run deadline of \(DurationText.format(seconds: options.deadline ?? 0)) exceeded"
                : "timed out after \(DurationText.format(seconds: seconds))"
            return finish(check, .error, message, [], expectations, startWall, started, asRequirement)
        case .cancelled:
            let signal = interruption() ?? "cancellation"
            return finish(check, .skip, "not finished: interrupted by \(signal)", [], expectations, startWall, started, asRequirement)
        }
        switch observed {
        case .failure(let error):
            return finish(check, .error, error.message, [], expectations, startWall, started, asRequirement)
        case .success(let output):
            if let reason = output.skipReason {
                return finish(check, .skip, reason, [], expectations, startWall, started, asRequirement)
            }
            let (status, message, subjects) = Evaluation.evaluate(output, expectations, spec: probeType.spec)
            return finish(check, status, message, subjects, expectations, startWall, started, asRequirement, performanceData: probeType.spec.performanceData)
        }
    }

    static func observe(_ probe: any Probe, _ context: ProbeContext) async -> Result<ProbeOutput, ProbeError> {
        do throws(ProbeError) {
            return .success(try await probe.observe(context))
        } catch {
            return .failure(error)
        }
    }

    func finish(
        _ check: Check, _ status: CheckStatus, _ message: String?, _ subjects: [ObservedSubject],
        _ expectations: [ResolvedExpectation], _ startWall: Double, _ started: ContinuousClock.Instant, _ asRequirement: Bool,
        performanceData: PerformanceData? = nil
    ) -> CheckResult {
        let elapsed = ContinuousClock.now - started
        let endWall = Runner.wallClock()
        return CheckResult(
            check: check, status: status, message: message, observed: subjects,
            resolved: expectations, startedAt: startWall, finishedAt: endWall,
            duration: elapsed, includedAsRequirement: asRequirement, performanceData: performanceData)
    }

    static func describe(_ error: ResolutionError, _ check: Check) -> String {
        "\(error.message) (\(check.location.file):\(error.mark))"
    }

    /// nil when the check applies; otherwise the reason it does not.
    static func applies(_ check: Check, _ variables: Variables) -> Result<String?, ResolutionError> {
        for condition in check.when {
            var unmet: String?
            switch condition {
            case .envSet(let name):
                if (variables[name] ?? "").isEmpty { unmet = "\(name) is not set" }
            case .envUnset(let name):
                if !(variables[name] ?? "").isEmpty { unmet = "\(name) is set" }
            case .envEquals(let name, let setting):
                let expected: String
                do throws(ResolutionError) {
                    expected = try setting.resolve(variables, field: "when.env_equals.\(name)").asString ?? ""
                } catch {
                    return .failure(error)
                }
                if variables[name] != expected { unmet = "\(name) is \(variables[name].map { "'\($0)'" } ?? "not set"), not '\(expected)'" }
            case .pathExists(let setting), .pathAbsent(let setting):
                let path: String
                do throws(ResolutionError) {
                    path = try setting.resolve(variables, field: "when.path").asString ?? ""
                } catch {
                    return .failure(error)
                }
                var info = stat()
                let exists = lstat(path, &info) == 0
                if case .pathExists = condition, !exists { unmet = "\(path) does not exist" }
                if case .pathAbsent = condition, exists { unmet = "\(path) exists" }
            }
            if let unmet {
                guard let reason = check.whenReason else { return .success("not applicable: \(unmet)") }
                return .success(reason.contains(unmet) ? reason : "\(reason) (\(unmet))")
            }
        }
        return .success(nil)
    }

    static func wallClock() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
