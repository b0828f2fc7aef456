import Foundation

/// A task executor on one serial Dispatch queue that a test can block, as a cooperative pool whose threads all
/// wait on something else would be: a task preferring it makes no progress while it is blocked.
final class BlockableExecutor: TaskExecutor, @unchecked Sendable {
    private let queue = DispatchQueue(label: "doctor.tests.blockable-executor")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Runs nothing else for `seconds`, from after every job already enqueued.
    func block(seconds: Double) {
        queue.async { Thread.sleep(forTimeInterval: seconds) }
    }
}
