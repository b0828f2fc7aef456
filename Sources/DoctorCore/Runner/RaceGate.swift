import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs an operation against a deadline without waiting for it to finish once the deadline passes.
///
/// The operation runs in its own unstructured task, on a thread of its own (`ProbeThread`): a probe that
/// blocks in a system call or a C library holds only that thread, never the two-thread cooperative pool the
/// rest of the run (and the timers) need. When the deadline comes first (or the caller is cancelled), the
/// task is cancelled and *abandoned*: the caller goes on at once, so a probe that ignores cancellation cannot
/// hold the run past its deadline; its thread ends whenever the probe returns (or with the process). This is
/// the one place the runner leaves structured concurrency, on purpose.
enum DeadlineRace {
    enum Outcome<T: Sendable>: Sendable {
        case finished(T)
        case timedOut
        case cancelled
    }

    static func run<T: Sendable>(
        until deadline: ContinuousClock.Instant, _ operation: @escaping @Sendable () async -> T
    ) async -> Outcome<T> {
        let gate = Gate<T>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome<T>, Never>) in
                guard gate.install(continuation) else { return }
                let work: Task<Void, Never>
                if let thread = ProbeThread() {
                    work = Task(executorPreference: thread) {
                        gate.finish(.finished(await operation()))
                        thread.shutdown()
                    }
                } else {
                    // No thread to be had (limits reached): the shared pool still runs it, bounded by the timer.
                    work = Task { gate.finish(.finished(await operation())) }
                }
                let timer = Task {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    gate.finish(.timedOut)
                }
                gate.track(work, timer)
            }
        } onCancel: {
            gate.finish(.cancelled)
        }
    }

    /// Resumes the waiting caller exactly once and cancels whatever is still running.
    final class Gate<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Outcome<T>, Never>?
            var early: Outcome<T>?
            var done = false
            var tasks: [Task<Void, Never>] = []
        }

        private let state = Mutex(State())

        /// Returns false when the race was already decided (cancelled before it began).
        func install(_ continuation: CheckedContinuation<Outcome<T>, Never>) -> Bool {
            let early: Outcome<T>? = state.withLock { state in
                if let early = state.early { return early }
                state.continuation = continuation
                return nil
            }
            if let early {
                continuation.resume(returning: early)
                return false
            }
            return true
        }

        func track(_ tasks: Task<Void, Never>...) {
            let cancelNow = state.withLock { state in
                if state.done { return true }
                state.tasks += tasks
                return false
            }
            if cancelNow { tasks.forEach { $0.cancel() } }
        }

        func finish(_ outcome: Outcome<T>) {
            let (continuation, tasks): (CheckedContinuation<Outcome<T>, Never>?, [Task<Void, Never>]) = state.withLock { state in
                guard !state.done else { return (nil, []) }
                state.done = true
                guard let continuation = state.continuation else {
                    state.early = outcome
                    return (nil, [])
                }
                state.continuation = nil
                defer { state.tasks = [] }
                return (continuation, state.tasks)
            }
            continuation?.resume(returning: outcome)
            tasks.forEach { $0.cancel() }
        }
    }
}

/// Lets a check wait for the results of the checks it `requires`.
final class ResultBoard: Sendable {
    private struct State {
        var statuses: [String: CheckStatus] = [:]
        var waiters: [String: [CheckedContinuation<CheckStatus, Never>]] = [:]
    }

    private let state = Mutex(State())

    func post(_ id: String, _ status: CheckStatus) {
        let waiters = state.withLock { state in
            state.statuses[id] = status
            return state.waiters.removeValue(forKey: id) ?? []
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    func status(of id: String) async -> CheckStatus {
        await withCheckedContinuation { continuation in
            let ready: CheckStatus? = state.withLock { state in
                if let status = state.statuses[id] { return status }
                state.waiters[id, default: []].append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

/// Hands out positions 0..<count, once each, to any number of workers.
final class WorkQueue: Sendable {
    private let position = Mutex(0)
    private let count: Int

    init(count: Int) {
        self.count = count
    }

    func next() -> Int? {
        position.withLock { value in
            guard value < count else { return nil }
            defer { value += 1 }
            return value
        }
    }
}

/// A task executor with one thread of its own: the jobs of the task that prefers it run there, one after the
/// other. Blocking that thread blocks nothing else. The thread ends after `shutdown()` once its queue is empty.
final class ProbeThread: TaskExecutor, @unchecked Sendable {
    // `jobs` and `stopped` are guarded by `mutex`; `condition` wakes the thread.
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    /// nil when the system refuses another thread.
    init?() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, 512 << 10)
        var thread = pthread_t()
        let retained = Unmanaged.passRetained(self)
        let created = pthread_create(&thread, &attributes, { raw in
            Unmanaged<ProbeThread>.fromOpaque(raw!).takeRetainedValue().loop()
            return nil
        }, retained.toOpaque())
        pthread_attr_destroy(&attributes)
        if created != 0 {
            retained.release()
            return nil
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        pthread_mutex_lock(&mutex)
        jobs.append(unowned)
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    func shutdown() {
        pthread_mutex_lock(&mutex)
        stopped = true
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    private func loop() {
        while true {
            pthread_mutex_lock(&mutex)
            while jobs.isEmpty && !stopped { pthread_cond_wait(&condition, &mutex) }
            let next = jobs.isEmpty ? nil : jobs.removeFirst()
            pthread_mutex_unlock(&mutex)
            guard let next else { return }
            next.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
