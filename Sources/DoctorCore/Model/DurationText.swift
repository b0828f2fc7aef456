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
