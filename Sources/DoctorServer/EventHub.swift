import DoctorCore
import Synchronization

/// Fans events out to every `/events` subscriber. Each subscriber has a bounded buffer: one that cannot keep up
/// is dropped (its stream ends and the client reconnects) rather than holding memory or slowing the run.
public final class EventHub: Sendable {
    public static let bufferLimit = 4096

    private struct State {
        var next = 0
        var subscribers: [Int: AsyncStream<ServerEvent>.Continuation] = [:]
        var closed = false
        /// The number of the last check event of the current run.
        var sequence = 0
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

    /// Publishes `event`; a `runStarted` restarts the numbering of check events.
    public func publish(_ event: ServerEvent) {
        deliver { state in
            if case .runStarted = event { state.sequence = 0 }
            return event
        }
    }

    /// Publishes the event `make` builds with the next number of the current run (1, 2, …). Numbering and
    /// delivery happen under one lock, so subscribers see events in number order even when results arrive on
    /// several threads at once.
    public func publish(numbered make: (Int) -> ServerEvent) {
        deliver { state in
            state.sequence += 1
            return make(state.sequence)
        }
    }

    private func deliver(_ make: (inout State) -> ServerEvent) {
        let dropped = state.withLock { state -> [AsyncStream<ServerEvent>.Continuation] in
            let event = make(&state)
            var dropped: [AsyncStream<ServerEvent>.Continuation] = []
            for (id, continuation) in state.subscribers {
                if case .dropped = continuation.yield(event) {
                    state.subscribers[id] = nil
                    dropped.append(continuation)
                }
            }
            return dropped
        }
        // Outside the lock: finishing runs the stream's termination handler, which takes the lock.
        for continuation in dropped { continuation.finish() }
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
