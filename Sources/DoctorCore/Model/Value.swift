/// A concrete value: a parameter after variable expansion, or something a probe observed.
///
/// Durations are seconds (`double`), sizes and modes are integers; `principal` carries both the numeric id and,
/// when it resolves, the name, so that an expectation can name either.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case principal(id: Int64, name: String?)
    case list([Value])

    public var asString: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var asBool: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    public var asInt: Int64? {
        switch self {
        case .int(let number): number
        case .double(let number) where number.rounded() == number: Int64(exactly: number)
        default: nil
        }
    }

    public var asDouble: Double? {
        switch self {
        case .int(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }

    public var asList: [Value]? {
        if case .list(let items) = self { return items }
        return nil
    }

    /// A mapping's entries in catalog order (the loader keeps a mapping as a list of name-value pairs).
    public var asMap: [(name: String, value: Value)]? {
        asList?.compactMap { pair in
            guard let items = pair.asList, items.count == 2, let name = items[0].asString else { return nil }
            return (name, items[1])
        }
    }

    /// Renders the value for people, using the declared type where it matters (modes in octal, durations with
    /// a unit, sizes in bytes).
    public func display(as type: ValueType? = nil) -> String { render(as: type, quotingStrings: false, bounded: false) }

    /// The value as evidence shows it: like `display`, but strings (also inside lists) are quoted, so that a
    /// reader can tell the number `2` from the string `"2"`; and bounded for a message: a list shows its first
    /// `evidenceItems` items and how many more, a string its first `evidenceCharacters` characters and how many
    /// more (a D-Bus property of 1,000,000 items made a 7 MB message). `display`, which `matches` reads, is whole.
    public func evidence(as type: ValueType? = nil) -> String { render(as: type, quotingStrings: true, bounded: true) }

    public static let evidenceItems = 32
    public static let evidenceCharacters = 1_000

    private func render(as type: ValueType?, quotingStrings: Bool, bounded: Bool = false) -> String {
        switch (self, type) {
        case (.null, _): return "null"
        case (.bool(let flag), _): return flag ? "true" : "false"
        case (.int(let number), .fileMode?): return Value.octal(number)
        case (.int(let number), .byteSize?): return ByteSize.format(number)
        case (.int(let number), _): return String(number)
        case (.double(let seconds), .duration?): return DurationText.format(seconds: seconds)
        case (.double(let number), _): return Value.formatDouble(number)
        case (.string(let text), _):
            if bounded, text.count > Value.evidenceCharacters {
                let shown = String(text.prefix(Value.evidenceCharacters))
                return (quotingStrings ? Value.quoted(shown) : shown) + "… (\(text.count - Value.evidenceCharacters) more characters)"
            }
            return quotingStrings ? Value.quoted(text) : text
        case (.principal(let id, let name), _): return name.map { "\($0) (\(id))" } ?? String(id)
        case (.list(let items), .list(let element)?), (.list(let items), .oneOrMany(let element)?):
            return Value.renderList(items, element, quotingStrings: quotingStrings, bounded: bounded)
        case (.list(let items), _): return Value.renderList(items, nil, quotingStrings: quotingStrings, bounded: bounded)
        }
    }

    private static func renderList(_ items: [Value], _ element: ValueType?, quotingStrings: Bool, bounded: Bool) -> String {
        let shown = bounded ? items.prefix(evidenceItems) : items[...]
        var text = "[" + shown.map { $0.render(as: element, quotingStrings: quotingStrings, bounded: bounded) }.joined(separator: ", ")
        if shown.count < items.count { text += ", … \(items.count - shown.count) more" }
        return text + "]"
    }

    /// `"text"`, escaped as a JSON string literal (the report's own escaping).
    public static func quoted(_ text: String) -> String {
        var out = ""
        JSONWriter.appendString(text, to: &out)
        return out
    }

    static func octal(_ number: Int64) -> String {
        var digits = String(number, radix: 8)
        while digits.count < 4 { digits = "0" + digits }
        return digits
    }

    static func formatDouble(_ number: Double) -> String {
        if number.rounded() == number && abs(number) < 1e15 { return String(Int64(number)) }
        return String(number)
    }
}
