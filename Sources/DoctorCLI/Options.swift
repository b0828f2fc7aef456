import ArgumentParser
import DoctorCore
import DoctorFormatters
import DoctorProbes
import Foundation
import Logging
import Synchronization

extension Severity: ExpressibleByArgument {}


/// Where the catalog is and which variables it sees.
struct CatalogOptions: ParsableArguments {
    @Option(name: .customLong("catalog"), help: ArgumentHelp(
        "A catalog directory or file (repeatable). Default: $DOCTOR_CATALOG, else checks/ of the checkout, else the installed catalog.",
        valueName: "dir"))
    var catalogs: [String] = []

    @Option(name: .customLong("var"), help: ArgumentHelp("Set a variable for ${NAME} references (repeatable).", valueName: "name=value"))
    var vars: [String] = []

    @Option(name: .customLong("vars-file"), help: ArgumentHelp("A YAML file of NAME: value variables (repeatable).", valueName: "file"))
    var varsFiles: [String] = []

    @Flag(name: .customLong("no-cache"), help: "Parse and validate the catalog even when the compiled-catalog cache has it (also DOCTOR_CACHE=off).")
    var noCache = false

    var cache: CatalogCache? {
        noCache ? nil : CatalogCache.standard(environment: ProcessInfo.processInfo.environment)
    }
}

/// Which checks: the same for `run` and `list`.
struct SelectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only checks tagged with a control of this framework: stig, pci-dss, soc2, nist-800-53, or any a governance directory adds; aliases such as pci work (repeatable; union).", valueName: "framework"))
    var governance: [String] = []

    @Option(help: ArgumentHelp("Only checks of this category (repeatable).", valueName: "category"))
    var category: [String] = []

    @Option(help: ArgumentHelp("Only checks of at least this severity: info, low, medium, high, critical.", valueName: "level"))
    var severity: Severity?

    @Option(help: ArgumentHelp("Only checks whose id matches (an id or a glob such as 'ipc-*'; repeatable).", valueName: "id-or-glob"))
    var check: [String] = []

    @Option(help: ArgumentHelp("Leave out checks whose id matches (repeatable).", valueName: "id-or-glob"))
    var skip: [String] = []

    @Option(help: ArgumentHelp("Only checks with this tag (repeatable).", valueName: "tag"))
    var tag: [String] = []

    var selection: Selection {
        Selection(
            governance: governance.map { $0.lowercased() }, categories: category, minimumSeverity: severity, checks: check,
            skip: skip, tags: tag)
    }

    /// Unknown categories are usage errors (with a suggestion), not an empty run.
    /// Every selector must select something: an unknown category, a `--check` or `--skip` that matches no
    /// check id, a `--tag` no check carries, a framework no check cites, or a selection that leaves nothing to
    /// run is a usage error (64, with a did-you-mean), never an empty run that exits 0.
    func validate(against catalog: Catalog) throws {
        let known = catalog.categories.map(\.id)
        for name in category where !known.contains(name) {
            let hint = Suggest.closest(to: name, in: known).map { " (did you mean '\($0)'?)" } ?? ""
            throw UsageError("unknown category '\(name)'\(hint); known: \(known.joined(separator: ", "))")
        }
        let ids = catalog.checks.map(\.id)
        for (flag, patterns) in [("--check", check), ("--skip", skip)] {
            for pattern in patterns where !ids.contains(where: { Glob.matches(pattern, $0) }) {
                let hint = Suggest.closest(to: pattern, in: ids).map { " (did you mean '\($0)'?)" } ?? ""
                throw UsageError("\(flag) '\(pattern)' matches no check in the catalog\(hint)")
            }
        }
        let tags = Set(catalog.checks.flatMap(\.tags))
        for name in tag where !tags.contains(name) {
            let hint = Suggest.closest(to: name, in: tags).map { " (did you mean '\($0)'?)" } ?? ""
            throw UsageError("no check carries the tag '\(name)'\(hint)")
        }
        for name in category where !catalog.checks.contains(where: { $0.category == name }) {
            throw UsageError("the category '\(name)' has no checks in this catalog")
        }
        let resolved = try frameworks(in: catalog)
        for framework in resolved where !catalog.checks.contains(where: { !$0.controls(for: framework).isEmpty }) {
            throw UsageError("no check in the catalog cites a \(framework) control")
        }
        var selection = self.selection
        selection.governance = resolved
        if !catalog.checks.contains(where: selection.matches) {
            throw UsageError("the selection matches no check (each selector matches some, but not together)")
        }
    }

    /// The selection with `--governance` names resolved to framework ids (after `validate(against:)`).
    func resolved(in catalog: Catalog) -> Selection {
        var selection = self.selection
        selection.governance = (try? frameworks(in: catalog)) ?? selection.governance
        return selection
    }

    /// The `--governance` names as framework ids: each may be an id or an alias the catalog's governance
    /// declares (`pci`, `pcidss`).
    func frameworks(in catalog: Catalog) throws -> [String] {
        try governance.map { name in
            if let id = catalog.frameworkID(name) { return id }
            if catalog.frameworks.isEmpty { throw UsageError("--governance \(name): no check in the catalog cites any governance framework") }
            let names = catalog.frameworks.flatMap { [$0.id] + $0.aliases }
            let hint = Suggest.closest(to: name.lowercased(), in: names).map { " (did you mean '\($0)'?)" } ?? ""
            throw UsageError("unknown framework '\(name)'\(hint); known: \(catalog.frameworks.map(\.id).joined(separator: ", "))")
        }
    }
}

enum ColorMode: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

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
                let file = try OTLPSettings.FileSettings.read(environment["DOCTOR_OBSERVABILITY_TOML"] ?? home + "/.config/pds/observability.toml")
                let settings = try OTLPSettings.resolve(
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

/// How the run behaves.
struct ExecutionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Checks in flight at once (default: twice the number of cores).", valueName: "n"))
    var jobs: Int?

    @Option(help: ArgumentHelp("Timeout of every check that does not set its own (default: the catalog's, else 5s).", valueName: "duration"))
    var timeout: String?

    @Option(help: ArgumentHelp("Budget for the whole run; checks not finished by then are errors.", valueName: "duration"))
    var deadline: String?

    @Option(name: .customLong("log-level"), help: ArgumentHelp("Diagnostics on standard error: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: String = "warning"

    @Flag(name: .customLong("allow-exec"), help: "Let exec checks run programs (also DOCTOR_ALLOW_EXEC=1). The catalog must be trusted: owned by you or root, writable by no one else.")
    var allowExec = false

    @Option(name: .customLong("plugin-dir"), help: ArgumentHelp("Where exec checks find programs named without a path (repeatable; replaces the defaults; also DOCTOR_PLUGIN_PATH).", valueName: "dir"))
    var pluginDirectories: [String] = []

    /// `--allow-exec` / `DOCTOR_ALLOW_EXEC`, `--plugin-dir` / `DOCTOR_PLUGIN_PATH`.
    var execPolicy: ExecPolicy {
        let environment = ProcessInfo.processInfo.environment
        let allowed = allowExec || ["1", "true", "yes"].contains((environment["DOCTOR_ALLOW_EXEC"] ?? "").lowercased())
        var directories = pluginDirectories
        if directories.isEmpty, let path = environment["DOCTOR_PLUGIN_PATH"], !path.isEmpty {
            directories = path.split(separator: ":").map(String.init)
        }
        return ExecPolicy(allowed: allowed, pluginDirectories: directories.isEmpty ? ExecPolicy.defaultPluginDirectories : directories)
    }

    /// Sets the exec policy for this run and, when exec checks will run, refuses an untrusted catalog (exit 65).
    func enforceExecPolicy(_ catalog: Catalog, plan: [(check: Check, asRequirement: Bool)]) throws {
        let policy = execPolicy
        ExecPolicy.current = policy
        guard policy.allowed, CatalogTrust.runsPrograms(plan.map(\.check)) else { return }
        let problems = CatalogTrust.problems(files: catalog.files)
        guard problems.isEmpty else {
            Console.err("doctor: refusing to run exec checks from an untrusted catalog:\n" + problems.map { "  \($0)" }.joined(separator: "\n"))
            throw ExitCode(ExitStatus.invalidCatalog.rawValue)
        }
    }

    func seconds(_ text: String?, _ flag: String) throws -> Double? {
        guard let text else { return nil }
        guard let seconds = DurationText.seconds(text), seconds > 0, seconds.isFinite else {
            throw ValidationError("--\(flag) expects a finite duration such as 2s, 250ms or 1m30s (at most \(DurationText.format(seconds: DurationText.longest))), got '\(text)'")
        }
        return seconds
    }

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        _ = try seconds(timeout, "timeout")
        _ = try seconds(deadline, "deadline")
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of: " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }
}

/// The probes and formatters a build offers. An extension package builds its own `doctor` with more.
public struct Toolbox: Sendable {
    public var probes: ProbeRegistry
    public var formatters: FormatterRegistry

    public init(probes: ProbeRegistry = BuiltInProbes.registry, formatters: FormatterRegistry = BuiltInFormatters.registry) {
        self.probes = probes
        self.formatters = formatters
    }

    /// The toolbox of this process. An extension package's `main` registers its probes and formatters here
    /// once, before any command runs; nothing changes it afterwards.
    nonisolated(unsafe) public static var current = Toolbox()
}

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

/// Standard output and standard error, unbuffered enough for large reports.
enum Console {
    static func out(_ text: String) {
        var copy = text
        copy.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}

/// `--metric-prefix`, the same for `run` and `serve`: a Prometheus metric-name prefix without colons (colons are
/// reserved for recording rules), also the prefix of OTLP metric names.
struct MetricPrefixOptions: ParsableArguments {
    @Option(name: .customLong("metric-prefix"), help: ArgumentHelp("The prefix of metric names in Prometheus and OTLP output ([A-Za-z_][A-Za-z0-9_]*).", valueName: "prefix"))
    var prefix: String = "pds"

    func validate() throws {
        guard let first = prefix.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic),
            prefix.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) })
        else {
            throw ValidationError("--metric-prefix must be a metric name prefix such as pds ([A-Za-z_][A-Za-z0-9_]*), got '\(prefix)'")
        }
    }
}
