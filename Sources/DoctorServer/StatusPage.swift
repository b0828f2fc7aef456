import DoctorCore
import Foundation

/// The HTML page at `/`: the verdict, the results table, and links to every endpoint (keeping the page's
/// filters). It reloads itself when `/events` announces a finished run. Every text from the catalog or a probe
/// is escaped.
enum StatusPage {
    static func render(_ run: (number: Int, report: RunReport)?, query: String, metricPrefix: String) -> String {
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>doctor</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
            table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #ddd;vertical-align:top}
            th{background:#f4f4f4}.pass{color:#1a7f37}.warn{color:#9a6700}.fail,.error{color:#cf222e;font-weight:600}.skip{color:#777}
            .verdict{font-size:1.3em}nav a{margin-right:1em}code{font-size:.95em}
            </style></head><body>
            <h1>doctor</h1>
            <nav>
            """
        for (path, label) in [("metrics", "/metrics"), ("health", "/health"), ("checks", "/checks"), ("events", "/events")] {
            html += "<a href=\"\(escape(path + query))\">\(label)</a>"
        }
        html += "</nav>\n"
        guard let (number, report) = run else {
            html += "<p class=\"verdict\" id=\"verdict\">starting: no run has finished yet</p>\n" + script + "</body></html>\n"
            return html
        }
        let status = HealthStatus(report.results, incomplete: report.incomplete)
        let counts = report.counts
        let summary = CheckStatus.allCases.map { "\(counts[$0]) \($0.rawValue)" }.joined(separator: ", ")
        html += "<p class=\"verdict\" id=\"verdict\" data-status=\"\(status.rawValue)\">\(status.rawValue): \(summary)</p>\n"
        html += "<p>run \(number) of catalog <code>\(escape(String(report.catalogDigest.prefix(12))))</code> on \(escape(report.host)), "
        html += "finished \(escape(Timestamp.rfc3339(report.finishedAt))) in \(String(format: "%.3f", max(0, report.finishedAt - report.startedAt))) s"
        if report.incomplete { html += " — incomplete: \(escape(report.incompleteReason ?? "stopped"))" }
        html += "</p>\n<table id=\"results\"><thead><tr><th>Status</th><th>Check</th><th>Title</th><th>Category</th><th>Severity</th><th>Message</th><th>Duration</th></tr></thead><tbody>\n"
        for result in report.results {
            let status = result.status.rawValue
            html += "<tr data-check=\"\(escape(result.check.id))\" data-status=\"\(status)\"><td class=\"\(status)\">\(status)</td>"
            html += "<td><code>\(escape(result.check.id))</code></td><td>\(escape(result.check.title))</td>"
            html += "<td>\(escape(result.check.category))</td><td>\(result.check.severity.rawValue)</td>"
            html += "<td>\(escape(result.message))</td><td>\(String(format: "%.1f", result.durationSeconds * 1000)) ms</td></tr>\n"
        }
        html += "</tbody></table>\n" + script + "</body></html>\n"
        return html
    }

    /// Reloads the page when a run finishes (the server pushes it over `/events`).
    private static let script = """
        <script>
        if (window.EventSource) { new EventSource("events" + location.search).addEventListener("run-finished", () => location.reload()); }
        </script>

        """

    static func escape(_ text: String) -> String { Markup.escape(text, apostrophes: true) }
}
