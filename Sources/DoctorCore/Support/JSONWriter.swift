#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small streaming JSON writer: keys are written in the order given (stable output), strings are escaped per
/// RFC 8259, and nothing is built but the output string. Pretty-printed with two-space indentation.
public struct JSONWriter {
    public private(set) var output = ""
    private var depth = 0
    private var needsComma = [false]
    private let pretty: Bool

    public init(pretty: Bool = true, capacity: Int = 4096) {
        self.pretty = pretty
        output.reserveCapacity(capacity)
    }

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { output += "," }
        needsComma[needsComma.count - 1] = true
        if pretty && depth > 0 {
            output += "\n"
            output += String(repeating: "  ", count: depth)
        }
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
        if pretty && hadItems {
            output += "\n"
            output += String(repeating: "  ", count: depth)
        }
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

    public static func appendString(_ text: String, to out: inout String) {
        out += "\""
        var plainStart = text.utf8.startIndex
        let utf8 = text.utf8
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out += String(text[plainStart..<index])
                switch byte {
                case UInt8(ascii: "\""): out += "\\\""
                case UInt8(ascii: "\\"): out += "\\\\"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                case 0x09: out += "\\t"
                default:
                    let hex = String(byte, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
                plainStart = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        out += String(text[plainStart..<utf8.endIndex])
        out += "\""
    }
}

/// RFC 3339 timestamps in UTC with milliseconds.
public enum Timestamp {
    public static func rfc3339(_ seconds: Double) -> String {
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        let millis = Int((seconds - seconds.rounded(.down)) * 1000)
        func pad(_ n: Int32, _ width: Int = 2) -> String {
            let text = String(n)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let ms = String(millis)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)).\(String(repeating: "0", count: 3 - ms.count))\(ms)Z"
    }
}
