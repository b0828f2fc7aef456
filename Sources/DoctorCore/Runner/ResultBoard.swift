import Synchronization

#if canImport(Glibc)
import Glibc
#endif

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
