import ArgumentParser
import DoctorCore
import DoctorServer
import Foundation
import Logging

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
        let selection = selectionOptions.resolved(in: session.catalog)
        let plan = selection.plan(session.catalog)
        try executionOptions.enforceExecPolicy(session, plan: plan)
        let runOptions = try session.runOptions(executionOptions, selection: selection)
        let host = CatalogOpener.hostName()
        let probes = Toolbox.current.probes
        let perform: RunScheduler.Perform = { onResult in
            let runner = Runner(registry: probes, options: runOptions, logger: Logger(label: "doctor"), onResult: onResult)
            let startedAt = Date().timeIntervalSince1970
            return session.report(selection: selection, host: host, startedAt: startedAt, outcome: await runner.run(plan))
        }
        let configuration = DoctorService.Configuration(
            socketPath: socketPath, tcp: tcp, interval: try executionOptions.seconds(interval, "interval") ?? 60, minimumAge: try minimumAge(),
            idleTimeout: try executionOptions.seconds(idleTimeout, "idle-timeout") ?? 10, metricPrefix: metricPrefix)
        let service = DoctorService(configuration: configuration, catalog: session.catalog, checkCount: plan.count, perform: perform, logger: logger)
        do throws(ListenError) {
            let (warnings, addresses) = try await service.bind()
            for warning in warnings { Console.err("doctor: \(warning)") }
            for address in addresses { Console.err("doctor: serving on \(address)") }
        } catch {
            Console.err("doctor: cannot listen: \(error.description)")
            throw ExitCode(ExitStatus.unavailable.rawValue)
        }
        let signals = StopSignals()
        signals.start { name in
            Console.err("doctor: \(name) received, draining (again to exit at once)")
            service.shutdown()
        }
        await service.run()
        signals.cancel()
        Console.err("doctor: stopped")
    }

    /// `--min-age`, where 0 (always rerun on demand) is allowed.
    func minimumAge() throws -> Double {
        if let seconds = DurationText.seconds(minAge), seconds >= 0, seconds.isFinite { return seconds }
        throw ValidationError("--min-age expects a duration such as 0s, 5s or 1m, got '\(minAge)'")
    }
}
