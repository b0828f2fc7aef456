import DoctorCore

/// The value parsers a catalog's text goes through: the first byte picks the value type, the rest is the text,
/// parsed as a plain and as a quoted scalar; durations, sizes, templates (parsed and expanded), regexes and
/// globs on the same text.
enum ValuesTarget {
    static let types: [ValueType] = [
        .string, .bool, .integer, .number, .duration, .byteSize, .fileMode, .principal, .enumeration(["a", "b"]), .regex,
        .list(.string), .oneOrMany(.fileMode), .map(.integer), .dynamic,
    ]
    static let variables = Variables(["HOME": "/root", "USER": "root", "X": "${X}"])

    static func run(_ bytes: [UInt8]) {
        let type = types[Int(bytes.first ?? 0) % types.count]
        let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
        _ = TypedParser.parse(text: text, plain: true, type: type)
        _ = TypedParser.parse(text: text, plain: false, type: type)
        _ = DurationText.seconds(text).map { DurationText.clock($0) }
        _ = ByteSize.bytes(text)
        if let template = try? Template.parse(text) { _ = try? template.expand(variables) }
        _ = (try? CompiledRegex(text))?.matches(text)
        _ = Glob.matches(text, "fuzz.check.id")
    }
}
