import DoctorCore
import Foundation
import TOMLKit

/// Where keys are defined in a TOML text: dotted key path → line, from table headers and `key = value` lines
/// (multi-line strings and arrays are skipped over). For messages only; the parsing is TOMLKit's.
struct TOMLLines {
    private var lines: [String: Int] = [:]

    init(_ text: String) {
        var prefix: [String] = []
        var arrayCounts: [String: Int] = [:]
        var inMultiline: String?
        var bracketDepth = 0
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if let delimiter = inMultiline {
                if line.contains(delimiter) { inMultiline = nil }
                continue
            }
            if bracketDepth > 0 {
                bracketDepth += line.filter { $0 == "[" }.count - line.filter { $0 == "]" }.count
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[[") {
                let path = TOMLLines.keyParts(String(line.dropFirst(2).prefix { $0 != "]" }))
                let joined = path.joined(separator: ".")
                let position = arrayCounts[joined, default: 0]
                arrayCounts[joined] = position + 1
                prefix = path + [String(position)]
                record(path, number)
                record(prefix, number)
                continue
            }
            if line.hasPrefix("[") {
                prefix = TOMLLines.keyParts(String(line.dropFirst().prefix { $0 != "]" }))
                record(prefix, number)
                continue
            }
            guard let equals = TOMLLines.equalsIndex(line) else { continue }
            let key = TOMLLines.keyParts(String(line[..<equals]))
            for length in 1...max(1, key.count) { record(prefix + key.prefix(length), number) }
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            for delimiter in ["\"\"\"", "'''"] where value.hasPrefix(delimiter) && value.dropFirst(3).range(of: delimiter) == nil {
                inMultiline = delimiter
            }
            if value.hasPrefix("[") { bracketDepth = value.filter { $0 == "[" }.count - value.filter { $0 == "]" }.count }
        }
    }

    private mutating func record(_ path: [String], _ line: Int) {
        let key = path.joined(separator: ".")
        if lines[key] == nil { lines[key] = line }
    }

    /// The line of `path`, or of its nearest recorded parent (1 when nothing is recorded).
    func line(of path: [String]) -> Int {
        var probe = path
        while !probe.isEmpty {
            if let line = lines[probe.joined(separator: ".")] { return line }
            probe.removeLast()
        }
        return 1
    }

    /// The index of the `=` of a `key = value` line, outside quoted key parts.
    static func equalsIndex(_ line: String) -> String.Index? {
        var quote: Character?
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "=" {
                return index
            }
        }
        return nil
    }

    /// The parts of a dotted key: `a."b.c".d` → [a, b.c, d].
    static func keyParts(_ key: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        for character in key {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "." {
                parts.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current.trimmingCharacters(in: .whitespaces))
        return parts.filter { !$0.isEmpty }
    }
}
