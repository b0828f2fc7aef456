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
        try execution.enforceExecPolicy(session, plan: plan)
        let options = try session.runOptions(execution, selection: selection.resolved(in: session.catalog))
        let logger = Logger(label: "doctor")
        logger.info("catalog loaded", metadata: [
            "checks": "\(session.catalog.checks.count)", "files": "\(session.catalog.files.count)",
            "digest": "\(session.catalog.digest)", "selected": "\(plan.count)", "jobs": "\(options.jobs)",
        ])
        let runner = Runner(registry: Toolbox.current.probes, options: options, logger: logger)

        let startedAt = Date().timeIntervalSince1970
        // SIGINT and SIGTERM stop the run; the partial report is still written.
        let signals = StopSignals()
        let task = Task { await runner.run(plan, interruption: { signals.received }) }
        signals.start { name in
            Console.err("doctor: \(name) received, stopping (again to exit at once)")
            task.cancel()
        }
        let outcome = await task.value
        signals.cancel()
        phases.mark("run")
        let report = session.report(selection: selection.resolved(in: session.catalog), host: CatalogOpener.hostName(), startedAt: startedAt, outcome: outcome)
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
