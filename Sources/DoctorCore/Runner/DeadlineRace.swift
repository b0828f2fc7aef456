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
