public import DoctorCore
import Foundation
import TOMLKit

/// TOML configuration files, read in their load order and validated against a JSON Schema (Open Sesame's by
/// default): syntax errors with file:line:col, schema violations, unknown and deprecated keys with file and line.
public struct TOMLProbe: Probe {
    public static let spec = ProbeSpec(
        type: "toml",
        summary: "TOML configuration files parse, and their keys and values are valid against the configuration schema.",
        discussion: """
            Reads each file of `paths` in order (globs expand alphabetically, as `config.d/*.toml` loads; a file \
            that does not exist is skipped), parses it with TOMLKit (toml++), and validates it against \
            `schema`: a JSON Schema file, by default Open Sesame's (`schemas/pds-config.schema.json`, written \
            from the reference). Every file is validated on its own, so each problem carries the file and line \
            that holds it; the merged configuration is the later files over the earlier ones, and \
            `config_version` is the highest any file declares. No file at all is valid (the daemons run on \
            their defaults): expect `files: {empty: false}` when one must exist.

            `errors` lists syntax errors (`file:line:col: message`) and schema violations (`file:line: key: \
            message`), `unknown_keys` keys the schema does not know (the daemons ignore them silently, so a typo \
            is lost), and `deprecated_keys` keys the schema marks deprecated. Files are never followed through \
            a symlink unless `follow_symlinks` is set (NixOS links config.toml into the store), and never opened \
            if they are not regular files.
            """,
        parameters: [
            ParameterSpec("paths", .list(.string), required: true, "The files in load order; globs allowed."),
            ParameterSpec("schema", .string, "A JSON Schema file to validate with (default: Open Sesame's configuration schema)."),
            ParameterSpec("follow_symlinks", .bool, default: "false", "Read configuration files that are symlinks."),
        ],
        observations: [
            ObservationSpec("files", .list(.string), "The files read, in order."),
            ObservationSpec("valid", .bool, "Every file parsed and no value breaks the schema."),
            ObservationSpec("errors", .list(.string), "Syntax errors and schema violations, with file and line."),
            ObservationSpec("unknown_keys", .list(.string), "Keys the schema does not know, with file and line."),
            ObservationSpec("deprecated_keys", .list(.string), "Keys the schema marks deprecated, with file and line."),
            ObservationSpec("config_version", .integer, "The highest `config_version` of the files."),
        ],
        defaultExpect: "{errors: {empty: true}, unknown_keys: {warn_if: {empty: false}}, deprecated_keys: {warn_if: {empty: false}}}",
        examples: [
            ProbeExample("The configuration is valid", """
                id: config-valid
                title: The Open Sesame configuration parses and validates
                category: configuration
                severity: high
                probe:
                  type: toml
                  paths: [/etc/pds/policy.toml, "${HOME}/.config/pds/config.toml", "${HOME}/.config/pds/config.d/*.toml"]
                expect:
                  errors: {empty: true}
                  config_version: 3
                  unknown_keys: {warn_if: {empty: false}}
                  deprecated_keys: {warn_if: {empty: false}}
                """),
        ])

    let paths: [String]
    let schemaPath: String?
    let follow: Bool

    public init(parameters: Parameters) throws(ProbeError) {
        paths = parameters.strings("paths") ?? []
        guard !paths.isEmpty else { throw ProbeError("'paths' is empty") }
        schemaPath = parameters.string("schema")
        follow = parameters.bool("follow_symlinks") ?? false
    }

    static let defaultSchema: JSONAny? = try? JSONDecoder().decode(JSONAny.self, from: Data(PDSConfigSchema.text.utf8))

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        let schema: JSONAny
        if let schemaPath {
            switch FileSystem.readSmall(schemaPath, limit: 4 << 20) {
            case .success(let bytes):
                guard let decoded = try? JSONDecoder().decode(JSONAny.self, from: Data(bytes)) else { throw ProbeError("the schema \(schemaPath) is not JSON") }
                schema = decoded
            case .failure(let error): throw ProbeError("the schema: \(error.message)")
            }
        } else {
            guard let embedded = TOMLProbe.defaultSchema else { throw ProbeError("the built-in configuration schema does not parse") }
            schema = embedded
        }
        let validator = SchemaValidator(schema: schema)
        var files: [String] = []
        for path in paths {
            if path.contains(where: { "*?[".contains($0) }) {
                files += try FileSystem.glob(path, deadline: context.deadline).get()
            } else if case .success = FileSystem.info(path, follow: false) {
                files.append(path)
            }
        }
        var errors: [String] = [], unknown: [String] = [], deprecated: [String] = []
        var version: Int64?
        for file in files {
            if Task.isCancelled { throw ProbeError("cancelled") }
            let bytes: [UInt8]
            let read = follow ? FileSystem.readSmall(Self.resolved(file), limit: 16 << 20) : FileSystem.readSmall(file, limit: 16 << 20)
            switch read {
            case .success(let data): bytes = data
            case .failure(let error):
                errors.append("\(file): \(error.message)")
                continue
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                errors.append("\(file): not valid UTF-8")
                continue
            }
            let table: TOMLTable
            do {
                table = try TOMLTable(string: text)
            } catch let error as TOMLParseError {
                errors.append("\(file):\(error.source.begin.line):\(error.source.begin.column): \(error.description)")
                continue
            } catch {
                errors.append("\(file): \(error)")
                continue
            }
            let document = TOMLProbe.convert(table)
            if case .int(let declared)? = document.member("config_version") { version = max(version ?? declared, declared) }
            let lines = TOMLLines(text)
            for issue in validator.validate(document) {
                let location = "\(file):\(lines.line(of: issue.path))"
                let key = issue.path.joined(separator: ".")
                switch issue.kind {
                case .error: errors.append("\(location): \(key) \(issue.message)")
                case .unknown: unknown.append("\(location): \(key)")
                case .deprecated: deprecated.append("\(location): \(key) (\(issue.message))")
                }
            }
        }
        var values: ObservedValues = [
            "files": .list(files.map { .string($0) }), "valid": .bool(errors.isEmpty),
            "errors": .list(errors.map { .string($0) }), "unknown_keys": .list(unknown.map { .string($0) }),
            "deprecated_keys": .list(deprecated.map { .string($0) }),
        ]
        if let version { values["config_version"] = .int(version) }
        let reason = files.isEmpty ? "none of \(paths.joined(separator: ", ")) exists" : nil
        return ProbeOutput(observations: [Observation(values: values, missingReason: reason)])
    }

    static func resolved(_ path: String) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard realpath(path, &buffer) != nil else { return path }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A TOMLKit value as a JSON-like tree (dates and times as their TOML text).
    static func convert(_ value: any TOMLValueConvertible) -> JSONAny {
        switch value.type {
        case .table:
            guard let table = value.table else { return .null }
            return .object(table.keys.map { key in (key, table[key].map(convert) ?? .null) })
        case .array:
            guard let array = value.array else { return .null }
            return .array(array.map { convert($0) })
        case .string: return .string(value.string ?? "")
        case .int: return .int(Int64(value.int ?? 0))
        case .double: return .double(value.double ?? 0)
        case .bool: return .bool(value.bool ?? false)
        case .date, .time, .dateTime: return .string(value.debugDescription)
        }
    }
}

extension JSONAny {
    func member(_ name: String) -> JSONAny? {
        if case .object(let members) = self { return members.first { $0.0 == name }?.1 }
        return nil
    }
}

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
