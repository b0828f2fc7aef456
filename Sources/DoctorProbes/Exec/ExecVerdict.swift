import DoctorCore
import Foundation

/// What a program said, read by its protocol: a status, a one-line message, and observations.
struct ExecVerdict {
    var status: String
    var message: String
    var observations: [(String, Value)]

    static let nagiosStates = ["pass", "warn", "fail", "error"]

    /// The Nagios plugin protocol: the exit status is the state; the first line is the message, up to `|`;
    /// performance data follows `|` on the first line and on any line of the long output.
    static func nagios(_ output: String, exitCode: Int32, program: String) throws(ProbeError) -> ExecVerdict {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let first = lines.first ?? ""
        let message = (first.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "")
            .trimmingCharacters(in: .whitespaces)
        guard (0...3).contains(exitCode) else {
            throw ProbeError("\(program) exited with status \(exitCode), not a plugin state (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)\(message.isEmpty ? "" : ": \(message)")")
        }
        var performance = ""
        if let bar = first.firstIndex(of: "|") { performance += first[first.index(after: bar)...] + " " }
        for line in lines.dropFirst() {
            if let bar = line.firstIndex(of: "|") { performance += line[line.index(after: bar)...] + " " }
        }
        return ExecVerdict(status: nagiosStates[Int(exitCode)], message: message, observations: perfdata(performance))
    }

    /// `label=value[UOM];warn;crit;min;max` items, space-separated; labels may be single-quoted (with `''` for a
    /// quote). An unparseable item is skipped; `U` (no value) gives no observation.
    static func perfdata(_ text: String) -> [(String, Value)] {
        var out: [(String, Value)] = []
        var index = text.startIndex
        while index < text.endIndex {
            while index < text.endIndex && text[index] == " " { index = text.index(after: index) }
            guard index < text.endIndex else { break }
            var label = ""
            if text[index] == "'" {
                index = text.index(after: index)
                while index < text.endIndex {
                    if text[index] == "'" {
                        let next = text.index(after: index)
                        if next < text.endIndex && text[next] == "'" {
                            label.append("'")
                            index = text.index(after: next)
                            continue
                        }
                        index = next
                        break
                    }
                    label.append(text[index])
                    index = text.index(after: index)
                }
            } else {
                while index < text.endIndex && text[index] != "=" && text[index] != " " {
                    label.append(text[index])
                    index = text.index(after: index)
                }
            }
            guard index < text.endIndex, text[index] == "=" else {
                while index < text.endIndex && text[index] != " " { index = text.index(after: index) }
                continue
            }
            index = text.index(after: index)
            var field = ""
            while index < text.endIndex && text[index] != " " {
                field.append(text[index])
                index = text.index(after: index)
            }
            let value = field.split(separator: ";", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let number = value.prefix { $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" || $0 == "e" || $0 == "E" }
            guard !label.isEmpty, let parsed = Double(number) else { continue }
            let unit = String(value.dropFirst(number.count))
            out.append(("perf.\(label)", parsed.rounded() == parsed && abs(parsed) < 1e15 ? .int(Int64(parsed)) : .double(parsed)))
            out.append(("perf.\(label).unit", .string(unit)))
        }
        return out
    }

    /// One JSON object: `status`, `message`, `observations` (decoded strictly: integers stay integers).
    static func json(_ output: String) throws(ProbeError) -> ExecVerdict {
        let document: JSONValue
        do {
            document = try JSONScan.parse(Array(output.utf8))
        } catch {
            throw ProbeError("the program's output is not JSON (\(output.utf8.count) bytes: \(output.prefix(80).debugDescription))")
        }
        guard case .object(let members) = document else { throw ProbeError("the program's output is JSON but not an object") }
        func member(_ name: String) -> JSONValue? { members.first { $0.0 == name }?.1 }
        guard case .string(let status)? = member("status"), nagiosStates.contains(status) else {
            throw ProbeError("the program's JSON needs \"status\": one of pass, warn, fail, error")
        }
        var message = ""
        if case .string(let text)? = member("message") { message = text }
        var observations: [(String, Value)] = []
        if let given = member("observations") {
            guard case .object(let values) = given else { throw ProbeError("\"observations\" must be an object") }
            for (name, value) in values.sorted(by: { $0.0 < $1.0 }) { observations.append((name, value.value)) }
        }
        return ExecVerdict(status: status, message: message, observations: observations)
    }
}
