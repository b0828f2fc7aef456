import ArgumentParser
import DoctorCore
import DoctorExport
import DoctorFormatters
import Foundation

/// How results are written: one or more sinks, each a format with an optional destination.
struct OutputOptions: ParsableArguments {
    @Option(
        name: .customLong("format"),
        help: ArgumentHelp(
            "Output format, with an optional destination: text, json, prometheus=FILE, junit=FILE, otlp[=URL]. Repeat it for several outputs in one run; at most one may go to standard output.",
            valueName: "format[=file]"))
    var formats: [String] = []

    @Option(help: ArgumentHelp("Write the report to this file (atomically) instead of standard output; for a single --format without its own destination.", valueName: "file"))
    var output: String?

    @Flag(name: .shortAndLong, help: "Show evidence (observed and expected) and durations for every check.")
    var verbose = false

    @Option(name: .customLong("otlp-protocol"), help: ArgumentHelp("OTLP transport: http/protobuf (default), http/json, grpc. Overrides OTEL_EXPORTER_OTLP_PROTOCOL.", valueName: "protocol"))
    var otlpProtocol: String?

    @Option(name: .customLong("otlp-header"), help: ArgumentHelp("A header for the OTLP receiver, KEY=VALUE (repeatable). Adds to OTEL_EXPORTER_OTLP_HEADERS.", valueName: "header"))
    var otlpHeaders: [String] = []

    @Option(name: .customLong("otlp-timeout"), help: ArgumentHelp("How long the OTLP export may take (default 10s). Overrides OTEL_EXPORTER_OTLP_TIMEOUT.", valueName: "duration"))
    var otlpTimeout: String?

    @OptionGroup var metric: MetricPrefixOptions

    var metricPrefix: String { metric.prefix }

    @Option(help: ArgumentHelp("Colour: auto (a terminal), always, never. NO_COLOR in the environment always wins.", valueName: "when"))
    var color: ColorMode = .auto

    /// One output of a run: a formatter to a file or standard output, or an OTLP export.
    struct Sink {
        var formatter: (any ResultFormatter)?
        var name: String
        /// A file, or nil for standard output; for `otlp`, the endpoint.
        var destination: String?
        var otlp: OTLPSettings?
    }

    /// The sinks of this invocation: `--format` as given (`text` when none), `--output` for the one without a
    /// destination. Usage errors name the problem.
    func sinks(_ registry: FormatterRegistry) throws -> [Sink] {
        var specs: [(name: String, destination: String?)] = (formats.isEmpty ? ["text"] : formats).map { spec in
            guard let equals = spec.firstIndex(of: "=") else { return (spec, nil) }
            return (String(spec[..<equals]), String(spec[spec.index(after: equals)...]))
        }
        for (name, destination) in specs where name != "otlp" {
            guard registry[name] != nil else {
                let hint = Suggest.closest(to: name, in: registry.names).map { " (did you mean '\($0)'?)" } ?? ""
                throw ValidationError("unknown format '\(name)'\(hint); available: \(registry.names.joined(separator: ", "))")
            }
            if let destination, destination.isEmpty { throw ValidationError("--format \(name)= needs a file after '='") }
        }
        let toStandardOutput = specs.indices.filter { specs[$0].destination == nil && specs[$0].name != "otlp" }
        if let output {
            guard toStandardOutput.count == 1 else {
                throw ValidationError("--output names one file, but \(toStandardOutput.count) formats have no destination; write --format NAME=FILE for each")
            }
            specs[toStandardOutput[0]].destination = output
        } else if toStandardOutput.count > 1 {
            let names = toStandardOutput.map { specs[$0].name }.joined(separator: ", ")
            throw ValidationError("\(names) would all write to standard output; give all but one a destination (--format NAME=FILE)")
        }
        try metric.validate()
        let destinations = specs.filter { $0.name != "otlp" }.compactMap(\.destination)
        if Set(destinations).count != destinations.count { throw ValidationError("two formats write to the same file") }
        let env = ProcessInfo.processInfo.environment
        let noColor = !(env["NO_COLOR"] ?? "").isEmpty
        let environment = ProcessInfo.processInfo.environment
        var otlpTimeoutSeconds: Double?
        if let otlpTimeout {
            guard let seconds = DurationText.seconds(otlpTimeout), seconds > 0, seconds.isFinite else { throw ValidationError("--otlp-timeout expects a duration such as 5s, got '\(otlpTimeout)'") }
            otlpTimeoutSeconds = seconds
        }
        return try specs.map { spec in
            if spec.name == "otlp" {
                let home = environment["HOME"] ?? NSHomeDirectory()
                let file = try OTLPOptions.FileSettings.read(environment["DOCTOR_OBSERVABILITY_TOML"] ?? home + "/.config/pds/observability.toml")
                let settings = try OTLPOptions.resolve(
                    destination: spec.destination, protocolFlag: otlpProtocol, headerFlags: otlpHeaders, timeoutFlag: otlpTimeoutSeconds,
                    environment: environment, file: file)
                return Sink(formatter: nil, name: "otlp", destination: settings.endpoint, otlp: settings)
            }
            let useColor: Bool
            switch color {
            case _ where noColor: useColor = false
            case .always: useColor = true
            case .never: useColor = false
            case .auto: useColor = spec.destination == nil && isatty(STDOUT_FILENO) == 1 && env["TERM"] != "dumb"
            }
            let type = registry[spec.name]!
            return Sink(formatter: type.init(options: FormatOptions(color: useColor, verbose: verbose, metricPrefix: metricPrefix)), name: spec.name, destination: spec.destination)
        }
    }
}
