// `ParameterDeclaration` shares this file: it is the one-line protocol that lets a spec list keys of different
// `Reading` types.
/// A probe parameter, declared once: the spec the loader, the JSON Schema and the reference pages use (name,
/// type, whether it is required, its default, its meaning), and how `init` reads it: `parameters[Parameter.path]`.
///
/// Keys are made with the factory of their type (`.string`, `.bool`, `.integer`, `.byteSize`, `.duration`,
/// `.enumeration`, `.strings`, `.map`, ...), so the Swift type `init` reads always fits the declared `ValueType`.
/// Without a default a key reads an optional (`String?`: nil when the check does not give it); with a default
/// it reads the value itself, the default when the check does not give it, so the default the docs show is the
/// one the probe uses.
public struct ParameterKey<Reading: Sendable>: ParameterDeclaration {
    public let spec: ParameterSpec
    let read: @Sendable (Value?) -> Reading

    init(_ spec: ParameterSpec, read: @escaping @Sendable (Value?) -> Reading) {
        self.spec = spec
        self.read = read
    }

    public var name: String { spec.name }

    static func optional<Wrapped>(
        _ name: String, _ type: ValueType, required: Bool, _ summary: String, _ convert: @escaping @Sendable (Value) -> Wrapped?
    ) -> ParameterKey<Wrapped?> {
        ParameterKey<Wrapped?>(ParameterSpec(name, type, required: required, summary)) { $0.flatMap(convert) }
    }

    static func defaulted(
        _ name: String, _ type: ValueType, default value: Reading, shown text: String, _ summary: String,
        _ convert: @escaping @Sendable (Value) -> Reading?
    ) -> ParameterKey<Reading> {
        ParameterKey(ParameterSpec(name, type, default: text, summary)) { $0.flatMap(convert) ?? value }
    }

    /// The value of `text` for `type` as a check would write it; a default that does not parse is a bug.
    static func parsedDefault(_ text: String, _ type: ValueType, of name: String) -> Value {
        switch TypedParser.parse(text: text, plain: true, type: type) {
        case .success(let value): return value
        case .failure(let problem): preconditionFailure("the default of parameter '\(name)' does not parse: \(problem.message)")
        }
    }
}

extension ParameterKey where Reading == String? {
    /// A `.string` parameter.
    public static func string(_ name: String, required: Bool = false, _ summary: String) -> ParameterKey {
        optional(name, .string, required: required, summary, { $0.asString })
    }

    /// An `.enumeration(words)` parameter: the loader accepts only `words`.
    public static func enumeration(_ name: String, _ words: [String], required: Bool = false, _ summary: String) -> ParameterKey {
        optional(name, .enumeration(words), required: required, summary, { $0.asString })
    }
}

extension ParameterKey where Reading == String {
    /// A `.string` parameter with a default (the empty string is shown as `""`).
    public static func string(_ name: String, default value: String, _ summary: String) -> ParameterKey {
        defaulted(name, .string, default: value, shown: value.isEmpty ? "\"\"" : value, summary, { $0.asString })
    }

    /// An `.enumeration(words)` parameter with a default, one of `words`.
    public static func enumeration(_ name: String, _ words: [String], default value: String, _ summary: String) -> ParameterKey {
        precondition(words.contains(value), "the default '\(value)' of parameter '\(name)' is not one of \(words)")
        return defaulted(name, .enumeration(words), default: value, shown: value, summary, { $0.asString })
    }
}

extension ParameterKey where Reading == Bool? {
    public static func bool(_ name: String, required: Bool = false, _ summary: String) -> ParameterKey {
        optional(name, .bool, required: required, summary, { $0.asBool })
    }
}

extension ParameterKey where Reading == Bool {
    public static func bool(_ name: String, default value: Bool, _ summary: String) -> ParameterKey {
        defaulted(name, .bool, default: value, shown: value ? "true" : "false", summary, { $0.asBool })
    }
}

extension ParameterKey where Reading == Int64? {
    /// An `.integer` parameter.
    public static func integer(_ name: String, required: Bool = false, _ summary: String) -> ParameterKey {
        optional(name, .integer, required: required, summary, { $0.asInt })
    }

    /// A `.byteSize` parameter, read in bytes.
    public static func byteSize(_ name: String, required: Bool = false, _ summary: String) -> ParameterKey {
        optional(name, .byteSize, required: required, summary, { $0.asInt })
    }
}

extension ParameterKey where Reading == Int64 {
    public static func integer(_ name: String, default value: Int64, _ summary: String) -> ParameterKey {
        defaulted(name, .integer, default: value, shown: String(value), summary, { $0.asInt })
    }

    /// A `.byteSize` parameter with a default written as a check would (`1M`), read in bytes.
    public static func byteSize(_ name: String, default text: String, _ summary: String) -> ParameterKey {
        let value = parsedDefault(text, .byteSize, of: name).asInt ?? 0
        return defaulted(name, .byteSize, default: value, shown: text, summary, { $0.asInt })
    }
}

extension ParameterKey where Reading == Double? {
    /// A `.number` parameter (an integer or a decimal).
    public static func number(_ name: String, required: Bool = false, _ summary: String) -> ParameterKey {
        optional(name, .number, required: required, summary, { $0.asDouble })
    }

    /// A `.duration` parameter, read in seconds.
    public static func duration(_ name: String, required: Bool = false, _ summary: String) -> ParameterKey {
        optional(name, .duration, required: required, summary, { $0.asDouble })
    }
}

extension ParameterKey where Reading == Double {
    /// A `.duration` parameter with a default written as a check would (`1h`), read in seconds.
    public static func duration(_ name: String, default text: String, _ summary: String) -> ParameterKey {
        let value = parsedDefault(text, .duration, of: name).asDouble ?? 0
        return defaulted(name, .duration, default: value, shown: text, summary, { $0.asDouble })
    }
}

extension ParameterKey where Reading == [String]? {
    /// A `.list(.string)` parameter.
    public static func strings(_ name: String, required: Bool = false, _ summary: String) -> ParameterKey {
        optional(name, .list(.string), required: required, summary, ParameterKey.stringList)
    }

    /// A `.oneOrMany(.string)` parameter: a single string reads as a list of one.
    public static func oneOrManyStrings(_ name: String, required: Bool = false, _ summary: String) -> ParameterKey {
        optional(name, .oneOrMany(.string), required: required, summary, ParameterKey.stringList)
    }

    @Sendable static func stringList(_ value: Value) -> [String]? {
        value.asList?.compactMap { $0.asString } ?? value.asString.map { [$0] }
    }
}

extension ParameterKey where Reading == [(name: String, value: Value)]? {
    /// A `.map(element)` parameter, read as its entries in catalog order.
    public static func map(_ name: String, of element: ValueType, required: Bool = false, _ summary: String) -> ParameterKey {
        optional(name, .map(element), required: required, summary, { $0.asMap })
    }
}

extension ParameterKey where Reading == Value? {
    /// A parameter of any other type, read as the `Value` the loader checked against `type`.
    public static func value(_ name: String, _ type: ValueType, required: Bool = false, _ summary: String) -> ParameterKey {
        optional(name, type, required: required, summary) { $0 }
    }
}
