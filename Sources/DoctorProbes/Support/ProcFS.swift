import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

enum ProcFS {
    /// The message for a failed read: a process that exited says so.
    static func failure(_ name: String, pid: Int32, _ code: Int32) -> ProbeError {
        if code == ESRCH || code == ENOENT { return ProbeError(exited(pid)) }
        return ProbeError("cannot read /proc/\(pid)/\(name): \(String(cString: strerror(code)))")
    }

    static func exited(_ pid: Int32) -> String { "process \(pid) exited" }

    /// `Key:\tvalue` lines of `/proc/<pid>/status`.
    static func status(_ text: String) -> [Substring: Substring] {
        var fields: [Substring: Substring] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon]] = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        }
        return fields
    }

    /// A size line of status (`VmRSS:	   1234 kB`) in bytes.
    static func kilobytes(_ field: Substring?) -> Int64? {
        guard let field, let number = Int64(field.split(separator: " ").first ?? "") else { return nil }
        return number * 1024
    }

    /// One row of `/proc/<pid>/limits`, by columns: soft, hard, unit. `unlimited` is `ByteSize.infinity`.
    struct Limit: Equatable {
        var soft: Int64
        var hard: Int64
        var unit: String
    }

    /// The rows of `/proc/<pid>/limits`, keyed by their name (`Max locked memory`). The columns are found from
    /// the header's positions, since names contain spaces.
    static func limits(_ text: String) -> [String: Limit] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let header = lines.first,
            let softStart = header.firstRange(of: "Soft Limit")?.lowerBound,
            let hardStart = header.firstRange(of: "Hard Limit")?.lowerBound,
            let unitsStart = header.firstRange(of: "Units")?.lowerBound
        else { return [:] }
        let softColumn = header.distance(from: header.startIndex, to: softStart)
        let hardColumn = header.distance(from: header.startIndex, to: hardStart)
        let unitsColumn = header.distance(from: header.startIndex, to: unitsStart)
        func column(_ line: Substring, _ from: Int, _ to: Int?) -> String {
            let characters = Array(line)
            guard from < characters.count else { return "" }
            let end = min(to ?? characters.count, characters.count)
            return String(characters[from..<end]).trimmingCharacters(in: " ")
        }
        func number(_ text: String) -> Int64? { text == "unlimited" ? ByteSize.infinity : Int64(text) }
        var out: [String: Limit] = [:]
        for line in lines.dropFirst() {
            let name = column(line, 0, softColumn)
            guard let soft = number(column(line, softColumn, hardColumn)), let hard = number(column(line, hardColumn, unitsColumn)) else { continue }
            out[name] = Limit(soft: soft, hard: hard, unit: column(line, unitsColumn, nil))
        }
        return out
    }
}

extension String {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        var slice = Substring(self)
        while slice.first == character { slice = slice.dropFirst() }
        while slice.last == character { slice = slice.dropLast() }
        return String(slice)
    }
}
