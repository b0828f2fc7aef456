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
    public func display(as type: ValueType? = nil) -> String { render(as: type, quotingStrings: false) }

    /// The value as evidence shows it: like `display`, but strings (also inside lists) are quoted, so that a
    /// reader can tell the number `2` from the string `"2"`.
    public func evidence(as type: ValueType? = nil) -> String { render(as: type, quotingStrings: true) }

    private func render(as type: ValueType?, quotingStrings: Bool) -> String {
        switch (self, type) {
        case (.null, _): return "null"
        case (.bool(let flag), _): return flag ? "true" : "false"
        case (.int(let number), .fileMode?): return Value.octal(number)
        case (.int(let number), .byteSize?): return ByteSize.format(number)
        case (.int(let number), _): return String(number)
        case (.double(let seconds), .duration?): return DurationText.format(seconds: seconds)
        case (.double(let number), _): return Value.formatDouble(number)
        case (.string(let text), _): return quotingStrings ? Value.quoted(text) : text
        case (.principal(let id, let name), _): return name.map { "\($0) (\(id))" } ?? String(id)
        case (.list(let items), .list(let element)?), (.list(let items), .oneOrMany(let element)?):
            return "[" + items.map { $0.render(as: element, quotingStrings: quotingStrings) }.joined(separator: ", ") + "]"
        case (.list(let items), _): return "[" + items.map { $0.render(as: nil, quotingStrings: quotingStrings) }.joined(separator: ", ") + "]"
        }
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

/// Parsing and printing of durations (`250ms`, `2s`, `1m30s`).
public enum DurationText {
    /// Seconds for a text such as `1m30s`; nil when it is not a duration with units.
    /// The longest finite duration doctor accepts (100 years): every duration below it converts to a clock's
    /// `Duration` and back without overflow. Longer texts are refused, never saturated.
    public static let longest: Double = 100 * 365.25 * 86_400

    /// Seconds for a text such as `1m30s`, or `infinity` (only that word: no number overflows into it);
    /// nil when it is not a duration with units or is longer than `longest`.
    public static func seconds(_ text: String) -> Double? {
        if text == "infinity" { return .infinity }
        guard let total = sum(text), total.isFinite, total >= 0, total <= longest else { return nil }
        return total
    }

    /// A duration for a clock: a finite number of seconds within `longest`; negative, NaN and infinite
    /// values become 0 or `longest`, so that a deadline computed from user input can never trap.
    public static func clock(_ seconds: Double) -> Duration {
        guard seconds.isFinite else { return seconds > 0 ? .seconds(longest) : .zero }
        return .seconds(min(max(seconds, 0), longest))
    }

    static func sum(_ text: String) -> Double? {
        var total = 0.0
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter || $0 == "µ" }
            rest = rest.dropFirst(unit.count)
            let scale: Double
            switch unit {
            case "ns": scale = 1e-9
            case "us", "µs": scale = 1e-6
            case "ms": scale = 1e-3
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            case "d": scale = 86_400
            default: return nil
            }
            total += value * scale
        }
        return total
    }

    /// A compact text for a number of seconds: `250ms`, `2s`, `1.5s`, `90µs`.
    public static func format(seconds: Double) -> String {
        if seconds == 0 { return "0s" }
        if seconds == .infinity { return "infinity" }
        if seconds < 1e-3 { return trim(seconds * 1e6) + "µs" }
        if seconds < 1 { return trim(seconds * 1e3) + "ms" }
        if seconds < 120 { return trim(seconds) + "s" }
        if seconds < 7200 { return trim(seconds / 60) + "m" }
        return trim(seconds / 3600) + "h"
    }

    private static func trim(_ number: Double) -> String {
        let rounded = (number * 10).rounded() / 10
        return rounded.rounded() == rounded ? String(Int64(rounded)) : String(rounded)
    }
}

/// Parsing and printing of byte sizes (`64M`, `64MiB`, `4096`). Units are binary (K = 1024). `infinity` (no
/// limit, as systemd and getrlimit say it) is `Int64.max`, above every finite size.
public enum ByteSize {
    public static let infinity = Int64.max

    public static func bytes(_ text: String) -> Int64? {
        if text == "infinity" { return infinity }
        let digits = text.prefix { $0.isNumber }
        guard !digits.isEmpty, let number = Int64(digits) else { return nil }
        let unit = text.dropFirst(digits.count).lowercased()
        let shift: Int64
        switch unit {
        case "", "b": shift = 0
        case "k", "kb", "kib": shift = 10
        case "m", "mb", "mib": shift = 20
        case "g", "gb", "gib": shift = 30
        case "t", "tb", "tib": shift = 40
        default: return nil
        }
        let (result, overflow) = number.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? nil : result
    }

    public static func format(_ bytes: Int64) -> String {
        if bytes == infinity { return "infinity" }
        for (shift, unit) in [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")] where bytes >= (1 << shift) {
            if bytes % (1 << shift) == 0 { return "\(bytes >> shift) \(unit)" }
        }
        return "\(bytes) B"
    }
}
