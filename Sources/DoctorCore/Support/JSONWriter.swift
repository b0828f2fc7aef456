#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small streaming JSON writer: keys are written in the order given (stable output), strings are escaped per
/// RFC 8259, and text goes straight into one output string (clean runs are appended in bulk). Pretty-printed
/// with two-space indentation.
public struct JSONWriter {
    public private(set) var output = ""
    private var depth = 0
    private var needsComma: [Bool] = [false]
    private let pretty: Bool
    private let flushAt: Int
    private static let indents: [String] = (0..<32).map { "\n" + String(repeating: "  ", count: $0) }

    /// `flushAt`: once the output reaches this many bytes, `flush(into:)` hands it over.
    public init(pretty: Bool = true, capacity: Int = 4096, flushAt: Int = 64 << 10) {
        self.pretty = pretty
        self.flushAt = flushAt
        output.reserveCapacity(min(capacity, flushAt + 4096))
    }

    /// Hands the output written so far to `emit` when it has reached the flush size (or always, with `force`).
    public mutating func flush(into emit: (String) -> Void, force: Bool = false) {
        guard force || output.utf8.count >= flushAt, !output.isEmpty else { return }
        emit(output)
        output.removeAll(keepingCapacity: true)
    }

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { output += "," }
        needsComma[needsComma.count - 1] = true
        if pretty && depth > 0 { newline() }
    }

    private mutating func newline() {
        output += depth < JSONWriter.indents.count ? JSONWriter.indents[depth] : "\n" + String(repeating: "  ", count: depth)
    }

    private mutating func key(_ name: String?) {
        separator()
        if let name {
            JSONWriter.appendString(name, to: &output)
            output += pretty ? ": " : ":"
        }
    }

    public mutating func beginObject(_ name: String? = nil) {
        key(name)
        output += "{"
        depth += 1
        needsComma.append(false)
    }

    public mutating func endObject() { close("}") }

    public mutating func beginArray(_ name: String? = nil) {
        key(name)
        output += "["
        depth += 1
        needsComma.append(false)
    }

    public mutating func endArray() { close("]") }

    private mutating func close(_ bracket: String) {
        let hadItems = needsComma.removeLast()
        depth -= 1
        if pretty && hadItems { newline() }
        output += bracket
    }

    public mutating func string(_ name: String? = nil, _ value: String?) {
        key(name)
        if let value { JSONWriter.appendString(value, to: &output) } else { output += "null" }
    }

    public mutating func int(_ name: String? = nil, _ value: Int64) {
        key(name)
        output += String(value)
    }

    public mutating func double(_ name: String? = nil, _ value: Double?) {
        key(name)
        guard let value, value.isFinite else {
            output += "null"
            return
        }
        if value.rounded() == value && abs(value) < 1e15 { output += String(Int64(value)) } else { output += String(value) }
    }

    public mutating func bool(_ name: String? = nil, _ value: Bool) {
        key(name)
        output += value ? "true" : "false"
    }

    public mutating func null(_ name: String? = nil) {
        key(name)
        output += "null"
    }

    public mutating func strings(_ name: String? = nil, _ values: [String]) {
        beginArray(name)
        for value in values { string(nil, value) }
        endArray()
    }

    static let hexDigits = Array("0123456789abcdef")

    /// Appends `text` as a JSON string literal. Text needing no escape (the usual case) is appended whole.
    public static func appendString(_ text: String, to out: inout String) {
        out += "\""
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            out += text
            out += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u00"
                out.append(hexDigits[Int(scalar.value >> 4)])
                out.append(hexDigits[Int(scalar.value & 0xF)])
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

/// RFC 3339 timestamps in UTC with milliseconds.
public enum Timestamp {
    public static func rfc3339(_ seconds: Double) -> String {
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        let millis = Int32(min(999, (seconds - seconds.rounded(.down)) * 1000))
        var out = [UInt8]()
        out.reserveCapacity(24)
        func digits(_ value: Int32, _ width: Int) {
            var divisor: Int32 = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(48 + (rest / divisor) % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(parts.tm_year + 1900, 4); out.append(UInt8(ascii: "-"))
        digits(parts.tm_mon + 1, 2); out.append(UInt8(ascii: "-"))
        digits(parts.tm_mday, 2); out.append(UInt8(ascii: "T"))
        digits(parts.tm_hour, 2); out.append(UInt8(ascii: ":"))
        digits(parts.tm_min, 2); out.append(UInt8(ascii: ":"))
        digits(parts.tm_sec, 2); out.append(UInt8(ascii: "."))
        digits(millis, 3); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
