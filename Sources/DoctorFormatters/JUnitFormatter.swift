public import DoctorCore

/// JUnit XML (the Ant JUnit schema most CI systems read): a `testsuite` per category, a `testcase` per check.
/// `fail` is a `<failure>` with the message and the evidence, `error` an `<error>`, `skip` a `<skipped>`; JUnit
/// has no warning, so a `warn` passes and its message is listed in the suite's `<system-out>`.
public struct JUnitFormatter: ResultFormatter {
    public static let name = "junit"
    public static let summary = "JUnit XML: a testsuite per category, a testcase per check, failures with their evidence."
    public static let fileExtension = "xml"

    public init(options: FormatOptions) {}

    /// Text escaped for XML content and attributes.
    static func escape(_ text: String) -> String { Markup.escape(text) }

    static func seconds(_ value: Double) -> String {
        let milliseconds = (max(0, value) * 1000).rounded()
        let whole = Int64(milliseconds) / 1000, fraction = Int64(milliseconds) % 1000
        let padded = String(fraction)
        return "\(whole).\(String(repeating: "0", count: 3 - padded.count))\(padded)"
    }

    /// `YYYY-MM-DDTHH:MM:SS` in UTC (the schema's timestamp has no zone).
    static func timestamp(_ seconds: Double) -> String {
        String(Timestamp.rfc3339(seconds).prefix(19))
    }

    static func evidence(_ result: CheckResult) -> String {
        var lines: [String] = []
        for subject in result.observed {
            let values = subject.values.map { "\($0.name)=\($0.text)" }.joined(separator: " ")
            lines.append("observed " + (subject.subject.map { "\($0): " } ?? "") + values)
        }
        for (observation, summary) in result.expected { lines.append("expected \(observation) \(summary)") }
        if let remediation = result.check.remediation { lines.append("remediation: \(remediation)") }
        lines.append("source: \(result.check.location.file):\(result.check.location.mark)")
        return lines.joined(separator: "\n")
    }

    public func write(_ report: RunReport, to emit: (String) -> Void) {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
        var byCategory: [String: [CheckResult]] = [:]
        for result in report.results { byCategory[result.check.category, default: []].append(result) }
        let host = JUnitFormatter.escape(report.host.isEmpty ? "localhost" : report.host)
        let stamp = JUnitFormatter.timestamp(report.startedAt)
        for (index, category) in report.categoryOrder.filter({ byCategory[$0] != nil }).enumerated() {
            let results = byCategory[category] ?? []
            let counts = StatusCounts(results)
            let time = results.reduce(0) { $0 + $1.durationSeconds }
            let name = JUnitFormatter.escape(category)
            out += "  <testsuite name=\"\(name)\" package=\"doctor.\(name)\" id=\"\(index)\" timestamp=\"\(stamp)\" hostname=\"\(host)\" "
            out += "tests=\"\(results.count)\" failures=\"\(counts.fail)\" errors=\"\(counts.error)\" skipped=\"\(counts.skip)\" time=\"\(JUnitFormatter.seconds(time))\">\n"
            out += "    <properties>\n"
            out += "      <property name=\"category.title\" value=\"\(JUnitFormatter.escape(report.title(ofCategory: category)))\"/>\n"
            out += "      <property name=\"doctor.version\" value=\"\(JUnitFormatter.escape(report.toolVersion))\"/>\n"
            out += "      <property name=\"catalog.digest\" value=\"\(JUnitFormatter.escape(report.catalogDigest))\"/>\n"
            out += "    </properties>\n"
            var warnings: [String] = []
            for result in results {
                let check = result.check
                out += "    <testcase name=\"\(JUnitFormatter.escape(check.id))\" classname=\"\(name)\" time=\"\(JUnitFormatter.seconds(result.durationSeconds))\""
                let message = JUnitFormatter.escape(result.message)
                switch result.status {
                case .pass:
                    out += "/>\n"
                case .warn:
                    out += "/>\n"
                    warnings.append("WARN \(check.id): \(result.message)")
                case .fail:
                    out += ">\n      <failure message=\"\(message)\" type=\"\(check.severity.rawValue)\">\(JUnitFormatter.escape(JUnitFormatter.evidence(result)))</failure>\n    </testcase>\n"
                case .error:
                    out += ">\n      <error message=\"\(message)\" type=\"error\">\(JUnitFormatter.escape(JUnitFormatter.evidence(result)))</error>\n    </testcase>\n"
                case .skip:
                    out += ">\n      <skipped message=\"\(message)\"/>\n    </testcase>\n"
                }
            }
            out += "    <system-out>\(JUnitFormatter.escape(warnings.joined(separator: "\n")))</system-out>\n"
            out += "    <system-err></system-err>\n"
            out += "  </testsuite>\n"
            if out.utf8.count > 1 << 16 {
                emit(out)
                out = ""
            }
        }
        out += "</testsuites>\n"
        emit(out)
    }
}
