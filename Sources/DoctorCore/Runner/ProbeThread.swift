import Synchronization

#if canImport(Glibc)
import Glibc
#endif

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
