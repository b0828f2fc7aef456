#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small streaming JSON writer: keys are written in the order given (stable output), strings are escaped per
/// RFC 8259, and bytes go into one buffer that `flush(into:)` hands over as text in 64 KB pieces.
/// Pretty-printed with two-space indentation.
public struct JSONWriter {
    private var bytes: [UInt8] = []
    private var depth = 0
    private var needsComma: [Bool] = [false]
    private let pretty: Bool
    private let flushAt: Int

    /// `flushAt`: once the buffer reaches this many bytes, `flush(into:)` hands it over.
    public init(pretty: Bool = true, capacity: Int = 4096, flushAt: Int = 64 << 10) {
        self.pretty = pretty
        self.flushAt = flushAt
        bytes.reserveCapacity(min(capacity, flushAt + 4096))
    }

    /// Everything written and not yet flushed.
    public var output: String { String(decoding: bytes, as: UTF8.self) }

    /// Hands the output written so far to `emit` when it has reached the flush size (or always, with `force`).
    public mutating func flush(into emit: (String) -> Void, force: Bool = false) {
        guard force || bytes.count >= flushAt, !bytes.isEmpty else { return }
        emit(String(decoding: bytes, as: UTF8.self))
        bytes.removeAll(keepingCapacity: true)
    }

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
        if pretty && depth > 0 { newline() }
    }

    private mutating func newline() {
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(0x20, count: 2 * depth))
    }

    private mutating func key(_ name: String?) {
        separator()
        if let name {
            JSONWriter.appendString(name, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            if pretty { bytes.append(0x20) }
        }
    }

    private mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func number(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    public mutating func beginObject(_ name: String? = nil) { open(name, UInt8(ascii: "{")) }

    public mutating func endObject() { close(UInt8(ascii: "}")) }

    public mutating func beginArray(_ name: String? = nil) { open(name, UInt8(ascii: "[")) }

    public mutating func endArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ name: String?, _ bracket: UInt8) {
        key(name)
        bytes.append(bracket)
        depth += 1
        needsComma.append(false)
    }

    private mutating func close(_ bracket: UInt8) {
        let hadItems = needsComma.removeLast()
        depth -= 1
        if pretty && hadItems { newline() }
        bytes.append(bracket)
    }

    public mutating func string(_ name: String? = nil, _ value: String?) {
        key(name)
        if let value { JSONWriter.appendString(value, to: &bytes) } else { raw("null") }
    }

    public mutating func int(_ name: String? = nil, _ value: Int64) {
        key(name)
        number(String(value))
    }

    public mutating func double(_ name: String? = nil, _ value: Double?) {
        key(name)
        guard let value, value.isFinite else {
            raw("null")
            return
        }
        number(value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value))
    }

    public mutating func bool(_ name: String? = nil, _ value: Bool) {
        key(name)
        if value { raw("true") } else { raw("false") }
    }

    public mutating func null(_ name: String? = nil) {
        key(name)
        raw("null")
    }

    public mutating func strings(_ name: String? = nil, _ values: [String]) {
        beginArray(name)
        for value in values { string(nil, value) }
        endArray()
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string literal; runs that need no escape are copied whole.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var clean = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean..<index]))
                clean = index + 1
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                default:
                    out.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    public static func appendString(_ text: String, to out: inout String) {
        var buffer: [UInt8] = []
        appendString(text, to: &buffer)
        out += String(decoding: buffer, as: UTF8.self)
    }
}
