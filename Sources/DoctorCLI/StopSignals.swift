import Dispatch
import Glibc
import Synchronization

/// SIGINT and SIGTERM as a clean stop, the one signal handling of `run` and `serve`: the first signal is
/// recorded (`received`) and handed to the command's stop action (cancel the run, drain the server); a second
/// one exits at once, 130 for SIGINT and 143 for SIGTERM.
final class StopSignals: Sendable {
    private let state = Mutex<(received: String?, sources: [any DispatchSourceSignal])>((nil, []))

    init() {}

    /// The name of the first signal received, nil before.
    var received: String? { state.withLock { $0.received } }

    /// Starts listening: `onStop` runs once, with the signal's name, on a dispatch queue.
    func start(_ onStop: @escaping @Sendable (String) -> Void) {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                let first = state.withLock { state -> Bool in
                    guard state.received == nil else { return false }
                    state.received = name
                    return true
                }
                guard first else { exit(number == SIGTERM ? 143 : 130) }
                onStop(name)
            }
            source.resume()
            state.withLock { $0.sources.append(source) }
        }
    }

    /// Stops listening (the signals stay ignored: the command is finishing).
    func cancel() {
        state.withLock { for source in $0.sources { source.cancel() } }
    }
}
