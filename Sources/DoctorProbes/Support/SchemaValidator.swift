import DoctorCore

/// A JSON Schema (2020-12) validator for the subset configuration schemas use: `type`, `enum`, `minimum`,
/// `maximum`, `minLength`, `pattern`, `properties`, `required`, `additionalProperties` (false or a schema),
/// `propertyNames`, `items`, local `$ref` (`#/$defs/...`) and the `deprecated` annotation, plus two annotations of
/// doctor's own, `x-warn-minimum` and `x-warn-maximum`: a value outside them is a warning, not an error (for
/// ranges the configured program itself only warns about). A schema that uses any other validating keyword is
/// refused (`unsupportedKeywords`), never half-applied: ignoring `oneOf` or `maxLength` would pass values the
/// schema forbids.
final class SchemaValidator {
    enum Kind: Equatable {
        case error, unknown, deprecated, warning
    }

    struct Issue: Equatable {
        var kind: Kind
        /// The key path, e.g. `["profiles", "work", "clipboard", "max_history"]`.
        var path: [String]
        var message: String
    }

    /// The keywords this validator applies.
    static let validating: Set<String> = [
        "type", "enum", "minimum", "maximum", "minLength", "pattern", "properties", "required", "additionalProperties",
        "propertyNames", "items", "$ref", "deprecated", "x-warn-minimum", "x-warn-maximum",
    ]
    /// Keywords that only annotate or hold definitions: they change no verdict.
    static let annotations: Set<String> = ["$schema", "$id", "$defs", "definitions", "$comment", "title", "description", "default", "examples"]

    /// Every keyword of `schema` (at any depth) this validator does not apply, as `path: keyword`; empty when
    /// the whole schema is understood.
    static func unsupportedKeywords(_ schema: JSONValue) -> [String] {
        var found: [String] = []
        func walk(_ node: JSONValue, _ path: String, depth: Int) {
            guard depth < 64, case .object(let members) = node else { return }
            for (key, value) in members {
                let here = path.isEmpty ? key : path + "/" + key
                if !validating.contains(key) && !annotations.contains(key) {
                    found.append("\(path.isEmpty ? "#" : "#/" + path): '\(key)'")
                    continue
                }
                switch key {
                case "properties", "$defs", "definitions":
                    if case .object(let children) = value {
                        for (name, child) in children { walk(child, here + "/" + name, depth: depth + 1) }
                    }
                case "additionalProperties", "items", "propertyNames":
                    walk(value, here, depth: depth + 1)
                default:
                    break
                }
            }
        }
        walk(schema, "", depth: 0)
        return found
    }

    let root: JSONValue
    /// Patterns compiled once per validator.
    private var patterns: [String: CompiledRegex?] = [:]

    init(schema: JSONValue) {
        root = schema
    }

    private func regex(_ pattern: String) -> CompiledRegex? {
        if let cached = patterns[pattern] { return cached }
        let compiled = try? CompiledRegex(pattern)
        patterns[pattern] = compiled
        return compiled
    }

    func validate(_ value: JSONValue) -> [Issue] {
        var issues: [Issue] = []
        check(value, against: root, path: [], into: &issues, depth: 0)
        return issues
    }

    private func member(_ object: JSONValue, _ name: String) -> JSONValue? {
        if case .object(let members) = object { return members.first { $0.0 == name }?.1 }
        return nil
    }

    private func resolve(_ schema: JSONValue) -> JSONValue {
        guard case .string(let reference)? = member(schema, "$ref"), reference.hasPrefix("#/") else { return schema }
        var node = root
        for part in reference.dropFirst(2).split(separator: "/") {
            guard let next = member(node, String(part)) else { return schema }
            node = next
        }
        return node
    }

    private static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("integer", .int), ("number", .int), ("number", .double), ("string", .string),
            ("array", .array), ("object", .object):
            return true
        case ("integer", .double(let number)): return number.rounded() == number
        default: return false
        }
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }

    private static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.int, _), (.double, _): number(lhs) != nil && number(lhs) == number(rhs)
        default: false
        }
    }

    private static func shown(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "'\(text)'"
        case .int(let number): String(number)
        case .double(let number): String(number)
        case .bool(let flag): String(flag)
        case .null: "null"
        case .array: "an array"
        case .object: "a table"
        }
    }

    private func check(_ value: JSONValue, against raw: JSONValue, path: [String], into issues: inout [Issue], depth: Int) {
        guard depth < 64 else { return }
        let schema = resolve(raw)
        guard case .object = schema else { return }
        if case .bool(true)? = member(schema, "deprecated") {
            var message = "deprecated"
            if case .string(let text)? = member(schema, "description") { message += ": \(text)" }
            issues.append(Issue(kind: .deprecated, path: path, message: message))
        }
        if let type = member(schema, "type") {
            let allowed: [String]
            switch type {
            case .string(let one): allowed = [one]
            case .array(let many): allowed = many.compactMap { if case .string(let name) = $0 { name } else { nil } }
            default: allowed = []
            }
            if !allowed.isEmpty, !allowed.contains(where: { SchemaValidator.matches(value, type: $0) }) {
                issues.append(Issue(kind: .error, path: path, message: "is \(SchemaValidator.typeName(value)) \(SchemaValidator.shown(value)), expected \(allowed.joined(separator: " or "))"))
                return
            }
        }
        if case .array(let options)? = member(schema, "enum"), !options.contains(where: { SchemaValidator.equal($0, value) }) {
            issues.append(Issue(kind: .error, path: path, message: "is \(SchemaValidator.shown(value)), expected one of \(options.map(SchemaValidator.shown).joined(separator: ", "))"))
        }
        if let number = SchemaValidator.number(value) {
            if let minimum = member(schema, "minimum").flatMap(SchemaValidator.number), number < minimum {
                issues.append(Issue(kind: .error, path: path, message: "is \(SchemaValidator.shown(value)), below the minimum \(Value.double(minimum).display())"))
            }
            if let maximum = member(schema, "maximum").flatMap(SchemaValidator.number), number > maximum {
                issues.append(Issue(kind: .error, path: path, message: "is \(SchemaValidator.shown(value)), above the maximum \(Value.double(maximum).display())"))
            }
            if let minimum = member(schema, "x-warn-minimum").flatMap(SchemaValidator.number), number < minimum {
                issues.append(Issue(kind: .warning, path: path, message: "is \(SchemaValidator.shown(value)), below the advised minimum \(Value.double(minimum).display())"))
            }
            if let maximum = member(schema, "x-warn-maximum").flatMap(SchemaValidator.number), number > maximum {
                issues.append(Issue(kind: .warning, path: path, message: "is \(SchemaValidator.shown(value)), above the advised maximum \(Value.double(maximum).display())"))
            }
        }
        if case .string(let text) = value {
            if let minimum = member(schema, "minLength").flatMap(SchemaValidator.number), Double(text.count) < minimum {
                issues.append(Issue(kind: .error, path: path, message: "is shorter than \(Value.double(minimum).display()) characters"))
            }
            if case .string(let pattern)? = member(schema, "pattern"), let regex = regex(pattern), !regex.matches(text) {
                issues.append(Issue(kind: .error, path: path, message: "is \(SchemaValidator.shown(value)), which does not match /\(pattern)/"))
            }
        }
        if case .array(let items) = value, let itemSchema = member(schema, "items") {
            for (index, item) in items.enumerated() {
                check(item, against: itemSchema, path: path + [String(index)], into: &issues, depth: depth + 1)
            }
        }
        if case .object(let members) = value {
            let properties: [(String, JSONValue)]
            if case .object(let declared)? = member(schema, "properties") { properties = declared } else { properties = [] }
            let additional = member(schema, "additionalProperties")
            let names = member(schema, "propertyNames")
            if case .array(let required)? = member(schema, "required") {
                for case .string(let name) in required where !members.contains(where: { $0.0 == name }) {
                    issues.append(Issue(kind: .error, path: path + [name], message: "is required and missing"))
                }
            }
            for (name, child) in members {
                if let names {
                    var nameIssues: [Issue] = []
                    check(.string(name), against: names, path: path + [name], into: &nameIssues, depth: depth + 1)
                    issues += nameIssues.map { Issue(kind: .error, path: $0.path, message: "is not a valid name: \($0.message)") }
                }
                if let declared = properties.first(where: { $0.0 == name })?.1 {
                    check(child, against: declared, path: path + [name], into: &issues, depth: depth + 1)
                } else if case .bool(false)? = additional {
                    issues.append(Issue(kind: .unknown, path: path + [name], message: "is not a known key"))
                } else if let additional, case .object = additional {
                    check(child, against: additional, path: path + [name], into: &issues, depth: depth + 1)
                }
            }
        }
    }
}
