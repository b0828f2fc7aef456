public import DoctorCore

/// The Prometheus text exposition format (0.0.4), fit for node_exporter's textfile collector: gauges only, HELP
/// and TYPE for every family, escaped label values, no timestamps.
///
/// `pds_doctor_check{name, category}` is the design's metric: 0 pass, 1 fail, 2 warn. An `error` is 1 there too
/// (the check did not pass) and also `pds_doctor_check_error{…} 1`; a `skip` is not a result, so it is left out of
/// `pds_doctor_check` and written as `pds_doctor_check_skipped{…} 1` instead: every selected check appears.
public struct PrometheusFormatter: ResultFormatter {
    public static let name = "prometheus"
    public static let summary = "Prometheus exposition (node_exporter textfile): pds_doctor_check{name,category} 0 pass, 1 fail, 2 warn, and run metrics."
    public static let fileExtension = "prom"

    let prefix: String

    public init(options: FormatOptions) {
        prefix = options.metricPrefix
    }

    /// A label value with `\`, `"` and newlines escaped.
    static func label(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 2)
        for character in text.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    static func number(_ value: Double) -> String {
        if value.rounded() == value && abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    public func write(_ report: RunReport, to emit: (String) -> Void) {
        let p = prefix + "_doctor"
        var out = ""
        out.reserveCapacity(report.results.count * 220 + 2048)
        func flush() {
            if out.utf8.count > 1 << 16 {
                emit(out)
                out = ""
            }
        }
        func family(_ name: String, _ help: String) {
            out += "# HELP \(p)\(name) \(help)\n# TYPE \(p)\(name) gauge\n"
        }
        func labels(_ result: CheckResult) -> String {
            "name=\"\(PrometheusFormatter.label(result.check.id))\",category=\"\(PrometheusFormatter.label(result.check.category))\""
        }

        family("_check", "Result of each check: 0 pass, 1 fail or error, 2 warn (skipped checks are in \(p)_check_skipped).")
        for result in report.results where result.status != .skip {
            let value: Int
            switch result.status {
            case .pass: value = 0
            case .warn: value = 2
            default: value = 1
            }
            out += "\(p)_check{\(labels(result))} \(value)\n"
            flush()
        }
        family("_check_info", "Each selected check's severity, for joins such as alerting on critical checks only; always 1.")
        for result in report.results {
            out += "\(p)_check_info{\(labels(result)),severity=\"\(result.check.severity.rawValue)\"} 1\n"
            flush()
        }
        family("_check_error", "1 for each check that could not run or timed out (its \(p)_check is 1).")
        for result in report.results where result.status == .error {
            out += "\(p)_check_error{\(labels(result))} 1\n"
        }
        family("_check_skipped", "1 for each selected check that was skipped (when, requires, or a probe's reason).")
        for result in report.results where result.status == .skip {
            out += "\(p)_check_skipped{\(labels(result))} 1\n"
        }
        family("_check_duration_seconds", "How long each check ran.")
        for result in report.results where result.startedAt != nil {
            out += "\(p)_check_duration_seconds{\(labels(result))} \(PrometheusFormatter.number(result.durationSeconds))\n"
            flush()
        }
        // Performance data (the observations the probe declares as such, e.g. exec's `perf.<label>`), in their unit.
        var perfdata: [String] = []
        for result in report.results {
            for point in PerfData.points(result) {
                perfdata.append("\(p)_check_perfdata{\(labels(result)),label=\"\(PrometheusFormatter.label(point.label))\",unit=\"\(PrometheusFormatter.label(point.unit))\"} \(PrometheusFormatter.number(point.value))\n")
            }
        }
        if !perfdata.isEmpty {
            family("_check_perfdata", "Performance data reported by plugin checks (exec), in the unit the plugin printed.")
            for line in perfdata { out += line }
        }
        family("_checks", "Checks of the run by status.")
        let counts = report.counts
        for status in CheckStatus.allCases {
            out += "\(p)_checks{status=\"\(status.rawValue)\"} \(counts[status])\n"
        }
        family("_run_duration_seconds", "Wall time of the whole run.")
        out += "\(p)_run_duration_seconds \(PrometheusFormatter.number(max(0, report.finishedAt - report.startedAt)))\n"
        family("_last_run_timestamp_seconds", "When the run finished, in seconds since the Unix epoch.")
        out += "\(p)_last_run_timestamp_seconds \(PrometheusFormatter.number((report.finishedAt * 1000).rounded() / 1000))\n"
        family("_run_incomplete", "1 when the run was interrupted and the report is partial.")
        out += "\(p)_run_incomplete \(report.incomplete ? 1 : 0)\n"
        family("_build_info", "The doctor version and the digest of the catalog it ran; always 1.")
        out += "\(p)_build_info{version=\"\(PrometheusFormatter.label(report.toolVersion))\",catalog_digest=\"\(PrometheusFormatter.label(report.catalogDigest))\"} 1\n"
        emit(out)
    }
}
