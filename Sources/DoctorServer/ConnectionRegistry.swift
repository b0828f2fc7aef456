import DoctorCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The open connections and whether each has a request in progress, so that shutdown can close the idle ones at
/// once and wait only for the busy ones.
final class ConnectionRegistry: Sendable {
    private struct State {
        var next = 0
        var open: [Int: (channel: any Channel, busy: Bool)] = [:]
        var draining = false
    }

    private let state = Mutex(State())

    var draining: Bool { state.withLock { $0.draining } }

    func add(_ channel: any Channel) -> Int {
        let (id, draining) = state.withLock { state in
            state.next += 1
            state.open[state.next] = (channel, false)
            return (state.next, state.draining)
        }
        if draining { channel.close(promise: nil) }
        return id
    }

    func remove(_ id: Int) { _ = state.withLock { $0.open.removeValue(forKey: id) } }

    func setBusy(_ id: Int, _ busy: Bool) {
        let close = state.withLock { state -> (any Channel)? in
            state.open[id]?.busy = busy
            return !busy && state.draining ? state.open[id]?.channel : nil
        }
        close?.close(promise: nil)
    }

    /// Closes idle connections, then waits until the busy ones are done or `timeout` passes.
    func drain(within timeout: Duration) async {
        let idle = state.withLock { state in
            state.draining = true
            return state.open.values.filter { !$0.busy }.map(\.channel)
        }
        for channel in idle { channel.close(promise: nil) }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, state.withLock({ !$0.open.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
