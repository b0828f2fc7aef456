import ArgumentParser
import DoctorCore
import DoctorExport
import Foundation
import Logging
import Synchronization

/// `doctor run`: load, select, run, report, and exit with the code the results call for.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the selected checks and report (the default command).",
        discussion: ExitCodes.help)

    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var selectionOptions: SelectionOptions
    @OptionGroup var outputOptions: OutputOptions
    @OptionGroup var executionOptions: ExecutionOptions

    func run() async throws {
        try await RunCommand.execute(
            catalog: catalogOptions, selection: selectionOptions, output: outputOptions, execution: executionOptions)
    }

    static func execute(catalog catalogOptions: CatalogOptions, selection: SelectionOptions, output: OutputOptions, execution: ExecutionOptions) async throws {
        Diagnostics.bootstrap(execution.logLevel)
        let phases = PhaseTimer()
        let sinks = try output.sinks(Toolbox.current.formatters)
        let session = try await CatalogSession.open(catalogOptions, selection: selection)
        phases.mark("load")
        let plan = selection.resolved(in: session.catalog).plan(session.catalog)
        try execution.enforceExecPolicy(session.catalog, plan: plan)
        let options = try session.runOptions(execution, selection: selection.resolved(in: session.catalog))
        let logger = Logger(label: "doctor")
        logger.info("catalog loaded", metadata: [
            "checks": "\(session.catalog.checks.count)", "files": "\(session.catalog.files.count)",
            "digest": "\(session.catalog.digest)", "selected": "\(plan.count)", "jobs": "\(options.jobs)",
        ])
        let runner = Runner(registry: Toolbox.current.probes, options: options, logger: logger)

        let startedAt = Date().timeIntervalSince1970
        let outcome = await SignalGuard.run { interruption in
            await runner.run(plan, interruption: interruption)
        }
        phases.mark("run")
        let report = session.report(selection: selection.resolved(in: session.catalog), host: Environment.hostName(), startedAt: startedAt, outcome: outcome)
        // Every sink gets its output even when another one fails; a failed sink decides the exit code.
        var sinkFailed = false
        for sink in sinks {
            if let otlp = sink.otlp {
                do throws(OTLPExportError) {
                    try await OTLPExporter(settings: otlp, prefix: output.metricPrefix).export(report)
                } catch {
                    Console.err("doctor: otlp: \(error.description)")
                    sinkFailed = true
                }
                continue
            }
            guard let formatter = sink.formatter else { continue }
            do {
                try OutputSink.write(to: sink.destination) { emit in formatter.write(report, to: emit) }
            } catch {
                sinkFailed = true
            }
        }
        phases.mark("report")
        phases.report()

        let code: ExitStatus
        switch outcome.stop {
        case .interrupted(let signal)?: code = signal == "SIGTERM" ? .terminated : .interrupted
        default: code = sinkFailed ? .cannotWrite : report.exitStatus
        }
        // Everything is written (standard output is unbuffered here, files are renamed): exit now rather than
        // tear down every check and result one by one on the way out, which costs as much as running them.
        Glibc.exit(code.rawValue)
    }
}

/// Turns SIGINT and SIGTERM into a clean stop: the run is cancelled, the partial report is still written. A
/// second signal exits at once.
enum SignalGuard {
    static func run<T: Sendable>(_ body: @escaping @Sendable (@escaping @Sendable () -> String?) async -> T) async -> T {
        let received = Mutex<String?>(nil)
        let interruption: @Sendable () -> String? = { received.withLock { $0 } }
        let task = Task { await body(interruption) }
        var sources: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let first = received.withLock { state -> Bool in
                    if state != nil { return false }
                    state = name
                    return true
                }
                if first {
                    Console.err("doctor: \(name) received, stopping (again to exit at once)")
                    task.cancel()
                } else {
                    exit(number == SIGTERM ? 143 : 130)
                }
            }
            source.resume()
            sources.append(source)
        }
        let value = await task.value
        for source in sources { source.cancel() }
        return value
    }
}

/// Phase timings on standard error when `DOCTOR_TIMINGS=1` (for profiling; not part of any output format).
final class PhaseTimer: @unchecked Sendable {
    private var last = ContinuousClock.now
    private var phases: [(String, Duration)] = []
    private let enabled = ProcessInfo.processInfo.environment["DOCTOR_TIMINGS"] == "1"

    func mark(_ name: String) {
        guard enabled else { return }
        let now = ContinuousClock.now
        phases.append((name, now - last))
        last = now
    }

    func report() {
        guard enabled else { return }
        Console.err(phases.map { "\($0.0) \($0.1.formatted(.units(allowed: [.milliseconds], fractionalPart: .show(length: 1))))" }.joined(separator: ", "))
    }
}
