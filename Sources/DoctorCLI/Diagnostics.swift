import DoctorCore
import Logging
import Synchronization

enum Diagnostics {
    private static let bootstrapped = Mutex(false)

    /// Sets up swift-log once per process (later calls do nothing).
    static func bootstrap(_ level: String) {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        let parsed = Logger.Level(rawValue: level) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
    }
}
