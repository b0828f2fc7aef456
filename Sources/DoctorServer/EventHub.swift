public import DoctorCore
import Synchronization

/// What `/events` streams: a run starting, each check result as it is known, and the run finishing.
public enum ServerEvent: Sendable {
    case runStarted(run: Int, startedAt: Double, checks: Int)
    case check(run: Int, sequence: Int, result: CheckResult)
    case runFinished(run: Int, report: RunReport)
}

/// Fans events out to every `/events` subscriber. Each subscriber has a bounded buffer: one that cannot keep up
/// is dropped (its stream ends and the client reconnects) rather than holding memory or slowing the run.
public final class EventHub: Sendable {
    public static let bufferLimit = 4096

    private struct State {
        var next = 0
        var subscribers: [Int: AsyncStream<ServerEvent>.Continuation] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// A stream of the events published from now on; it ends when the hub closes or the subscriber falls behind.
    public func subscribe() -> AsyncStream<ServerEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ServerEvent.self, bufferingPolicy: .bufferingOldest(EventHub.bufferLimit))
        let id: Int? = state.withLock { state in
            if state.closed { return nil }
            state.next += 1
            state.subscribers[state.next] = continuation
            return state.next
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        return stream
    }

    public func publish(_ event: ServerEvent) {
        let subscribers = state.withLock { Array($0.subscribers) }
        for (id, continuation) in subscribers {
            if case .dropped = continuation.yield(event) {
                continuation.finish()
                remove(id)
            }
        }
    }

    /// Ends every stream and refuses new subscribers (shutdown).
    public func close() {
        let subscribers = state.withLock { state in
            state.closed = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for continuation in subscribers { continuation.finish() }
    }

    private func remove(_ id: Int) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
    }
}
