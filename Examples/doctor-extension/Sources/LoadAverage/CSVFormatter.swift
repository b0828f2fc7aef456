public import DoctorCore
import Foundation

/// Results as CSV (RFC 4180): one row per check. A formatter defined outside doctor.
public struct CSVFormatter: ResultFormatter {
    public static let name = "csv"
    public static let summary = "One row per check: id, category, severity, status, duration_ms, message (RFC 4180)."
    public static let fileExtension = "csv"

    public init(options: FormatOptions) {}

    /// A field quoted when it holds a comma, a quote or a line break; quotes doubled.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public func write(_ report: RunReport, to emit: (String) -> Void) {
        emit("id,category,severity,status,duration_ms,message\r\n")
        for result in report.results {
            let row = [
                result.check.id, result.check.category, result.check.severity.rawValue, result.status.rawValue,
                String(format: "%.3f", result.durationSeconds * 1000), result.message,
            ]
            emit(row.map(CSVFormatter.field).joined(separator: ",") + "\r\n")
        }
    }
}
