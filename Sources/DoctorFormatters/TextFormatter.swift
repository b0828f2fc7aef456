public import DoctorCore

/// For people: results grouped by category with a mark per check, the remediation under each failure, and a
/// summary line. Colour only when asked (a terminal without `NO_COLOR`). `--verbose` adds evidence and times.
public struct TextFormatter: ResultFormatter {
    public static let name = "text"
    public static let summary = "Grouped by category, with marks, remediation under failures and a summary line."
    public static let fileExtension = "txt"

    let options: FormatOptions

    public init(options: FormatOptions) {
        self.options = options
    }

    public func write(_ report: RunReport, to emit: (String) -> Void) {
        var out = ""
        out.reserveCapacity(min(report.results.count * 96 + 512, 1 << 16))
        let width = min(48, report.results.map(\.check.id.count).max() ?? 0)
        let grouped = Dictionary(grouping: report.results, by: \.check.category)
        // A check `--skip` named still runs when a selected check requires it: say so under it.
        var overridden: [String: [String]] = [:]
        if !report.selection.skip.isEmpty {
            for result in report.results where result.includedAsRequirement && report.selection.skip.contains(where: { Glob.matches($0, result.check.id) }) {
                overridden[result.check.id] = report.results.filter { $0.check.requires.contains(result.check.id) }.map(\.check.id)
            }
        }
        for category in report.categoryOrder {
            guard let results = grouped[category], !results.isEmpty else { continue }
            out += paint(report.title(ofCategory: category), .bold) + "\n"
            for result in results {
                line(result, width: width, into: &out)
                if let dependants = overridden[result.check.id] {
                    out += "      " + paint("ran although --skip named it: " + dependants.joined(separator: ", ") + " require" + (dependants.count == 1 ? "s" : "") + " it", .yellow) + "\n"
                }
                if out.utf8.count >= 1 << 16 {
                    emit(out)
                    out.removeAll(keepingCapacity: true)
                }
            }
            out += "\n"
        }
        // The CLI refuses an empty selection (64); a library caller may still hand over an empty report.
        if report.results.isEmpty { out += "no checks selected\n\n" }
        if report.incomplete {
            out += paint("incomplete run: \(report.incompleteReason ?? "stopped early")", .yellow) + "\n"
        }
        out += summaryLine(report) + "\n"
        emit(out)
    }

    func line(_ result: CheckResult, width: Int, into out: inout String) {
        let mark = paint(result.status.symbol, color(result.status))
        let id = result.check.id + String(repeating: " ", count: max(0, width - result.check.id.count))
        out += "  \(mark) \(id)  \(result.check.title)"
        if options.verbose, result.startedAt != nil { out += paint("  (\(DurationText.format(seconds: result.durationSeconds)))", .dim) }
        out += "\n"
        let indent = "      "
        switch result.status {
        case .pass:
            if options.verbose { out += indent + paint(result.message, .dim) + "\n" }
        case .skip:
            out += indent + paint("skipped: \(result.message)", .dim) + "\n"
        case .warn, .fail, .error:
            out += indent + result.message + "\n"
            if let remediation = result.check.remediation, result.status != .error || options.verbose {
                let lines = remediation.split(separator: "\n", omittingEmptySubsequences: false)
                out += indent + paint("fix: ", .cyan) + lines.joined(separator: "\n" + indent + "     ") + "\n"
            }
        }
        if options.verbose { evidence(result, indent: indent, into: &out) }
    }

    func evidence(_ result: CheckResult, indent: String, into out: inout String) {
        for (observation, summary) in result.expected {
            out += indent + paint("expected \(observation) \(summary)", .dim) + "\n"
        }
        for subject in result.observed.prefix(20) {
            let values = subject.values.map { "\($0.name)=\($0.evidence)" }.joined(separator: " ")
            let prefix = subject.subject.map { "\($0): " } ?? ""
            out += indent + paint("observed \(prefix)\(values)", .dim) + "\n"
        }
        if result.observed.count > 20 { out += indent + paint("… and \(result.observed.count - 20) more subjects", .dim) + "\n" }
    }

    func summaryLine(_ report: RunReport) -> String {
        let counts = report.counts
        func part(_ n: Int, _ word: String, _ color: Style) -> String {
            let text = "\(n) \(word)"
            return n > 0 ? paint(text, color) : text
        }
        let parts = [
            part(counts.pass, "passed", .green), part(counts.warn, counts.warn == 1 ? "warning" : "warnings", .yellow),
            part(counts.fail, "failed", .red), part(counts.error, counts.error == 1 ? "error" : "errors", .magenta),
            part(counts.skip, "skipped", .dim),
        ]
        let elapsed = DurationText.format(seconds: max(0, report.finishedAt - report.startedAt))
        let noun = counts.total == 1 ? "check" : "checks"
        return "\(counts.total) \(noun): " + parts.joined(separator: ", ") + " in \(elapsed) — exit \(report.exitStatus.rawValue)"
    }

    enum Style: String {
        case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", magenta = "35", cyan = "36"
    }

    func color(_ status: CheckStatus) -> Style {
        switch status {
        case .pass: .green
        case .warn: .yellow
        case .fail: .red
        case .error: .magenta
        case .skip: .dim
        }
    }

    func paint(_ text: String, _ style: Style) -> String {
        options.color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}
