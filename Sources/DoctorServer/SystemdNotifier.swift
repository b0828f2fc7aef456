import CSystemd
import Foundation

/// The service manager's notification protocol through libsystemd's `sd_notify`: readiness, status lines,
/// watchdog keep-alives and stopping. Without `$NOTIFY_SOCKET` (not started by systemd) every call does nothing.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// True when a service manager listens (`$NOTIFY_SOCKET` is set).
    public var isActive: Bool { ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] != nil }

    @discardableResult
    public func notify(_ state: String) -> Bool {
        sd_notify(0, state) > 0
    }

    public func ready(status: String) { notify("READY=1\nSTATUS=\(status)") }
    public func status(_ text: String) { notify("STATUS=\(text)") }
    public func stopping() { notify("STOPPING=1\nSTATUS=draining") }
    public func watchdog() { notify("WATCHDOG=1") }

    /// The watchdog interval systemd expects pings within (`WatchdogSec=`), or nil when it is off or meant for
    /// another process (`$WATCHDOG_PID`).
    public var watchdogInterval: Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }
}
