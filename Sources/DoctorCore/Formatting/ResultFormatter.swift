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
