/// Options every formatter receives.
public struct FormatOptions: Sendable {
    /// ANSI colour (text output on a terminal, never with `NO_COLOR`).
    public var color: Bool
    /// Evidence and durations for every check, not only for failures.
    public var verbose: Bool
    /// The prefix of metric names (`pds` gives `pds_doctor_check`).
    public var metricPrefix: String

    public init(color: Bool = false, verbose: Bool = false, metricPrefix: String = "pds") {
        self.color = color
        self.verbose = verbose
        self.metricPrefix = metricPrefix
    }
}

/// Turns a finished run into one output format. Formatters are pure: the same report gives the same bytes, and
/// the exit code is decided by the report, never by a formatter.
public protocol ResultFormatter: Sendable {
    /// The name `--format` takes.
    static var name: String { get }
    static var summary: String { get }
    /// The usual file extension of the output, without a dot.
    static var fileExtension: String { get }

    init(options: FormatOptions)

    /// Writes the report in pieces; each piece goes out as it comes, so a large report never sits whole in
    /// memory.
    func write(_ report: RunReport, to emit: (String) -> Void)
}

extension ResultFormatter {
    /// The whole report as one string.
    public func format(_ report: RunReport) -> String {
        var out = ""
        write(report) { out += $0 }
        return out
    }
}

/// The formats a build knows, by name.
public struct FormatterRegistry: Sendable {
    public private(set) var types: [String: any ResultFormatter.Type] = [:]

    public init(_ formatters: [any ResultFormatter.Type] = []) {
        for formatter in formatters { register(formatter) }
    }

    public mutating func register(_ formatter: any ResultFormatter.Type) {
        precondition(types[formatter.name] == nil, "format '\(formatter.name)' registered twice")
        types[formatter.name] = formatter
    }

    public subscript(name: String) -> (any ResultFormatter.Type)? { types[name] }

    public var names: [String] { types.keys.sorted() }
}
