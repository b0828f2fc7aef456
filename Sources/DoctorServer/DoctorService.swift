public import DoctorCore
import Glibc
public import Logging
import NIOCore
import NIOPosix
import Synchronization

/// `doctor serve` as a service: runs the checks on an interval and serves the results over HTTP on a Unix socket
/// and TCP listeners, reports readiness, status and the watchdog to systemd, and drains on `shutdown()`. The
/// command parses options, opens the catalog and handles signals; a program embedding the library does the same
/// with its own catalog and run.
public final class DoctorService: Sendable {
    public struct Configuration: Sendable {
        /// The Unix socket to serve on (made 0600 in a private directory); nil for TCP only.
        public var socketPath: String?
        public var tcp: [TCPListenAddress]
        /// Seconds between the starts of two runs.
        public var interval: Double
        /// On-demand requests never rerun results younger than this (seconds).
        public var minimumAge: Double
        /// Connections without a request in progress are closed after this long (seconds).
        public var idleTimeout: Double
        public var metricPrefix: String

        public init(socketPath: String?, tcp: [TCPListenAddress] = [], interval: Double = 60, minimumAge: Double = 5, idleTimeout: Double = 10, metricPrefix: String) {
            self.socketPath = socketPath
            self.tcp = tcp
            self.interval = interval
            self.minimumAge = minimumAge
            self.idleTimeout = idleTimeout
            self.metricPrefix = metricPrefix
        }
    }

    public let configuration: Configuration
    public let scheduler: RunScheduler
    let server: HTTPServer
    let notifier = SystemdNotifier()
    private let state = Mutex(State())

    struct State {
        var bound: [HTTPServer.Bound] = []
        var socketInode: UInt64?
        var schedule: Task<Void, Never>?
        var stopping = false
    }

    /// A service for the checks of `catalog` that `perform` runs (`checkCount` of them): the catalog gives the
    /// vocabulary of the query filters (its categories and frameworks).
    public init(configuration: Configuration, catalog: Catalog, checkCount: Int, perform: @escaping RunScheduler.Perform, logger: Logger) {
        self.configuration = configuration
        let hub = EventHub()
        scheduler = RunScheduler(checkCount: checkCount, minimumAge: configuration.minimumAge, hub: hub, perform: perform)
        let endpoints = Endpoints(scheduler: scheduler, hub: hub, vocabulary: DoctorService.vocabulary(catalog), metricPrefix: configuration.metricPrefix)
        var settings = HTTPServer.Settings()
        settings.idleTimeout = .milliseconds(Int64(configuration.idleTimeout * 1000))
        server = HTTPServer(endpoints: endpoints, settings: settings, logger: logger)
    }

    /// The categories and frameworks (with their aliases) the query parameters may name.
    static func vocabulary(_ catalog: Catalog) -> ResultFilter.Vocabulary {
        var frameworks: [String: String] = [:]
        for framework in catalog.frameworks {
            frameworks[framework.id] = framework.id
            for alias in framework.aliases { frameworks[alias] = framework.id }
        }
        var categories = catalog.categories.map(\.id)
        for check in catalog.checks where !categories.contains(check.category) { categories.append(check.category) }
        return ResultFilter.Vocabulary(categories: categories, frameworks: frameworks)
    }

    /// Binds every listener before anything runs, so that a taken address is an error at once. Returns the
    /// warnings about the socket's directory and the addresses bound; on failure nothing stays bound or on disk.
    public func bind() async throws(ListenError) -> (warnings: [String], addresses: [String]) {
        DoctorService.raiseDescriptorLimit()
        var warnings: [String] = []
        do {
            if let path = configuration.socketPath {
                warnings += try UnixSocketPath.prepare(path)
                let bound = try await UnixSocketPath.withPrivateUmask { try await server.bind(.unix(path: path)) }
                chmod(path, 0o600)
                let inode = UnixSocketPath.inode(path)
                state.withLock {
                    $0.bound.append(bound)
                    $0.socketInode = inode
                }
            }
            for address in configuration.tcp {
                let bound = try await server.bind(.tcp(host: address.host, port: address.port))
                state.withLock { $0.bound.append(bound) }
            }
        } catch {
            removeSocket()
            throw error as? ListenError ?? ListenError("\(error)")
        }
        return (warnings, state.withLock { $0.bound.map { "\($0.address)" } })
    }

    /// Runs the checks every `interval` and serves until `shutdown()`; then removes the socket.
    public func run() async {
        let firstRun = Mutex(true)
        await scheduler.onFinished { [notifier] snapshot in
            let counts = snapshot.report.counts
            let status = "run \(snapshot.run): " + CheckStatus.allCases.map { "\(counts[$0]) \($0.rawValue)" }.joined(separator: ", ")
            let first = firstRun.withLock { value in
                defer { value = false }
                return value
            }
            if first { notifier.ready(status: status) } else { notifier.status(status) }
        }
        let schedule = Task { [scheduler, configuration] in await scheduler.runPeriodically(every: configuration.interval) }
        let stopped = state.withLock { state in
            state.schedule = schedule
            return state.stopping
        }
        if stopped { schedule.cancel() }
        let watchdog = Task { [notifier] in await DoctorService.pingWatchdog(notifier) }
        await server.serve(state.withLock { $0.bound })
        watchdog.cancel()
        schedule.cancel()
        removeSocket()
    }

    /// Drains: tells systemd, stops scheduling runs, cancels the one in flight and closes the listeners; `run()`
    /// returns once open responses are done.
    public func shutdown() {
        let schedule = state.withLock { state in
            state.stopping = true
            return state.schedule
        }
        notifier.stopping()
        schedule?.cancel()
        Task { [scheduler] in await scheduler.cancel() }
        server.shutdown()
    }

    private func removeSocket() {
        guard let path = configuration.socketPath else { return }
        UnixSocketPath.remove(path, inode: state.withLock { $0.socketInode })
    }

    /// Pings systemd's watchdog at half its interval, and only while the event loop answers: a wedged server is
    /// restarted by systemd rather than kept alive by a timer.
    static func pingWatchdog(_ notifier: SystemdNotifier) async {
        guard let interval = notifier.watchdogInterval else { return }
        let period = interval / 2
        while !Task.isCancelled {
            let loop = MultiThreadedEventLoopGroup.singleton.any()
            if (try? await loop.submit({}).get()) != nil { notifier.watchdog() }
            try? await Task.sleep(for: period)
        }
    }

    /// A server holds one descriptor per connection: take the hard limit (often 1024 soft, far more hard).
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
