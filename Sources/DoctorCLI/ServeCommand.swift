import ArgumentParser
import DoctorCore
import DoctorServer
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// `doctor serve`: runs the catalog on an interval and serves the results over HTTP on a Unix socket (and TCP
/// when asked): `/metrics`, `/health`, `/checks`, `/events`, `/` and `POST /run`.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the checks on an interval and serve /metrics, /health, /checks, /events and a status page.",
        discussion: """
            Listens on $XDG_RUNTIME_DIR/pds/doctor.sock (0600, in a 0700 directory) unless --no-socket, and on TCP \
            with --listen (loopback only unless --allow-remote). Every endpoint takes the query parameters \
            governance, category and severity, and max_age (seconds) to ask for results no older than that. \
            Under systemd (Type=notify) it reports readiness after the first run, pings the watchdog, and drains \
            on SIGTERM. See docs/serve.md.

            EXIT CODES:
              0   stopped by SIGTERM or SIGINT after draining
              64  usage error
              65  invalid catalog
              69  cannot listen (address in use, another server on the socket, a refused socket path)
            """)

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var selectionOptions: SelectionOptions
    @OptionGroup var executionOptions: ExecutionOptions

    @Option(help: ArgumentHelp("The Unix socket to serve on (default: $XDG_RUNTIME_DIR/pds/doctor.sock).", valueName: "path"))
    var socket: String?

    @Flag(name: .customLong("no-socket"), help: "Do not listen on a Unix socket (only on --listen addresses).")
    var noSocket = false

    @Option(help: ArgumentHelp("Also listen on TCP, e.g. 127.0.0.1:9464 or [::1]:9464 (repeatable; port 0 picks one).", valueName: "host:port"))
    var listen: [String] = []

    @Flag(name: .customLong("allow-remote"), help: "Allow --listen on an address other hosts can reach (the results describe this host's security posture).")
    var allowRemote = false

    @Option(help: ArgumentHelp("Time between the starts of two runs.", valueName: "duration"))
    var interval: String = "60s"

    @Option(name: .customLong("min-age"), help: ArgumentHelp("On-demand requests (max_age, POST /run) never rerun results younger than this.", valueName: "duration"))
    var minAge: String = "5s"

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Close connections that have no request in progress for this long.", valueName: "duration"))
    var idleTimeout: String = "10s"

    @OptionGroup var metric: MetricPrefixOptions

    var metricPrefix: String { metric.prefix }

    func validate() throws {
        for (text, flag) in [(interval, "interval"), (idleTimeout, "idle-timeout")] {
            _ = try executionOptions.seconds(text, flag)
        }
        _ = try minimumAge()
        if noSocket && listen.isEmpty { throw ValidationError("--no-socket leaves nothing to listen on; add --listen HOST:PORT") }
        try metric.validate()
    }

    func run() async throws {
        Diagnostics.bootstrap(executionOptions.logLevel)
        let logger = Logger(label: "doctor.serve")
        ServeCommand.raiseDescriptorLimit()

        // Where to listen, checked before anything runs.
        var tcp: [TCPListenAddress] = []
        do throws(ListenError) {
            for text in listen {
                let address = try TCPListenAddress(parsing: text)
                if !address.isLoopback {
                    guard allowRemote else {
                        throw ListenError("--listen \(text) is reachable from other hosts; doctor's results describe this host's security posture. Add --allow-remote if that is intended")
                    }
                    Console.err("doctor: warning: listening on \(text), reachable from other hosts; put it behind a firewall or a TLS proxy with authentication")
                }
                tcp.append(address)
            }
        } catch {
            Console.err("doctor: \(error.description)")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        var socketPath: String?
        if !noSocket {
            guard let path = socket ?? UnixSocketPath.standard(environment: ProcessInfo.processInfo.environment) else {
                Console.err("doctor: XDG_RUNTIME_DIR is not set: give --socket PATH, or --no-socket with --listen")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
            socketPath = path
        }

        let session = try await CatalogSession.open(catalogOptions, selection: selectionOptions)
        let plan = selectionOptions.resolved(in: session.catalog).plan(session.catalog)
        try executionOptions.enforceExecPolicy(session.catalog, plan: plan)
        let runOptions = try session.runOptions(executionOptions, selection: selectionOptions.resolved(in: session.catalog))
        let catalog = session.catalog
        let selection = selectionOptions.resolved(in: session.catalog)
        let host = Environment.hostName()
        let perform: RunScheduler.Perform = { onResult in
            let runner = Runner(registry: Toolbox.current.probes, options: runOptions, logger: Logger(label: "doctor"), onResult: onResult)
            let startedAt = Date().timeIntervalSince1970
            return session.report(selection: selection, host: host, startedAt: startedAt, outcome: await runner.run(plan))
        }

        let hub = EventHub()
        let scheduler = RunScheduler(checkCount: plan.count, minimumAge: try minimumAge(), hub: hub, perform: perform)
        var frameworks: [String: String] = [:]
        for framework in catalog.frameworks {
            frameworks[framework.id] = framework.id
            for alias in framework.aliases { frameworks[alias] = framework.id }
        }
        var categories = catalog.categories.map(\.id)
        for check in catalog.checks where !categories.contains(check.category) { categories.append(check.category) }
        let endpoints = Endpoints(
            scheduler: scheduler, hub: hub, vocabulary: ResultFilter.Vocabulary(categories: categories, frameworks: frameworks),
            metricPrefix: metricPrefix)
        var settings = HTTPServer.Settings()
        settings.idleTimeout = .seconds(try executionOptions.seconds(idleTimeout, "idle-timeout") ?? 10)
        let server = HTTPServer(endpoints: endpoints, settings: settings, logger: logger)

        // Bind every listener before running anything: a taken address is an error at once.
        var bound: [HTTPServer.Bound] = []
        var socketInode: UInt64?
        do {
            if let socketPath {
                for warning in try UnixSocketPath.prepare(socketPath) { Console.err("doctor: \(warning)") }
                bound.append(try await UnixSocketPath.withPrivateUmask { try await server.bind(.unix(path: socketPath)) })
                chmod(socketPath, 0o600)
                socketInode = UnixSocketPath.inode(socketPath)
            }
            for address in tcp { bound.append(try await server.bind(.tcp(host: address.host, port: address.port))) }
        } catch {
            Console.err("doctor: cannot listen: \(error)")
            if let socketPath { UnixSocketPath.remove(socketPath, inode: socketInode) }
            throw ExitCode(ExitStatus.unavailable.rawValue)
        }
        for listener in bound { Console.err("doctor: serving on \(listener.address)") }

        let notifier = SystemdNotifier()
        let firstRun = Mutex(true)
        await scheduler.onFinished { snapshot in
            let counts = snapshot.report.counts
            let status = "run \(snapshot.run): " + CheckStatus.allCases.map { "\(counts[$0]) \($0.rawValue)" }.joined(separator: ", ")
            let first = firstRun.withLock { value in
                defer { value = false }
                return value
            }
            if first { notifier.ready(status: status) } else { notifier.status(status) }
        }

        let intervalSeconds = try executionOptions.seconds(interval, "interval") ?? 60
        let schedule = Task { await scheduler.runPeriodically(every: intervalSeconds) }
        let watchdog = Task { await ServeCommand.pingWatchdog(notifier) }
        let stopping = Mutex(false)
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let first = stopping.withLock { value in
                    defer { value = true }
                    return !value
                }
                guard first else { Glibc.exit(number == SIGTERM ? 143 : 130) }
                Console.err("doctor: \(number == SIGTERM ? "SIGTERM" : "SIGINT") received, draining (again to exit at once)")
                notifier.stopping()
                schedule.cancel()
                Task { await scheduler.cancel() }
                server.shutdown()
            }
            source.resume()
            sources.append(source)
        }
        await server.serve(bound)
        watchdog.cancel()
        schedule.cancel()
        if let socketPath { UnixSocketPath.remove(socketPath, inode: socketInode) }
        for source in sources { source.cancel() }
        Console.err("doctor: stopped")
    }

    /// `--min-age`, where 0 (always rerun on demand) is allowed.
    func minimumAge() throws -> Double {
        if let seconds = DurationText.seconds(minAge), seconds >= 0, seconds.isFinite { return seconds }
        throw ValidationError("--min-age expects a duration such as 0s, 5s or 1m, got '\(minAge)'")
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
