#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one JSON reader (RFC 8259, strict: syntax, UTF-8 without overlongs or surrogates, nesting up to 64
/// levels), over raw bytes. Two ways in: `object()`/`document()` validate without building anything and hand
/// back the top-level members the caller asks for as byte ranges (one line of a JSON-lines log, no allocation
/// per value); `parse` validates and builds a `JSONValue` in the same pass (a whole file).
public struct JSONScan {
    public struct Invalid: Error, Sendable {
        /// The byte offset (from 0) where the text stops being JSON.
        public var offset: Int
        public var reason: String
    }

    let bytes: UnsafeRawBufferPointer
    var offset = 0
    /// Top-level member name → the byte range of its value.
    public private(set) var members: [(name: [UInt8], range: Range<Int>)] = []
    let wanted: [[UInt8]]

    public init(_ bytes: UnsafeRawBufferPointer, wanted: [[UInt8]]) {
        self.bytes = bytes
        self.wanted = wanted
    }

    /// The JSON value of `bytes` (one value, surrounding whitespace allowed), built while validating. Integers
    /// that fit stay `.int`; other numbers are `.double`. A repeated member name keeps its last value.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(Invalid) -> JSONValue {
        var scan = JSONScan(bytes, wanted: [])
        scan.skipSpace()
        let value = try scan.build(depth: 0)
        scan.skipSpace()
        guard scan.offset == bytes.count else { throw Invalid(offset: scan.offset, reason: "text after the JSON value") }
        return value
    }

    /// `parse` over the bytes of an array.
    public static func parse(_ bytes: [UInt8]) throws(Invalid) -> JSONValue {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(Invalid) in try parse(raw) } }
        return try result.get()
    }

    /// Validates the whole buffer as one JSON object (surrounding whitespace allowed).
    public mutating func object() throws(Invalid) {
        skipSpace()
        guard peek() == UInt8(ascii: "{") else { throw Invalid(offset: offset, reason: "not a JSON object") }
        try value(depth: 0, topLevel: true)
        skipSpace()
        guard offset == bytes.count else { throw Invalid(offset: offset, reason: "text after the JSON value") }
    }

    /// Validates the whole buffer as one JSON value of any type.
    public mutating func document() throws(Invalid) {
        skipSpace()
        try value(depth: 0)
        skipSpace()
        guard offset == bytes.count else { throw Invalid(offset: offset, reason: "text after the JSON value") }
    }

    private func peek() -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

    private mutating func skipSpace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0a, 0x0d: offset += 1
            default: return
            }
        }
    }

    private mutating func expect(_ literal: StaticString) throws(Invalid) {
        let count = literal.utf8CodeUnitCount
        guard offset + count <= bytes.count else { throw Invalid(offset: offset, reason: "unexpected end") }
        for index in 0..<count where bytes[offset + index] != literal.utf8Start[index] {
            throw Invalid(offset: offset, reason: "invalid literal")
        }
        offset += count
    }

    private mutating func value(depth: Int, topLevel: Bool = false) throws(Invalid) {
        guard depth < 64 else { throw Invalid(offset: offset, reason: "nested deeper than 64 levels") }
        skipSpace()
        guard let byte = peek() else { throw Invalid(offset: offset, reason: "unexpected end") }
        switch byte {
        case UInt8(ascii: "{"):
            guard try open(UInt8(ascii: "}")) else { return }
            repeat {
                let name = try memberName()
                let valueStart = offset
                try value(depth: depth + 1)
                if topLevel {
                    let name = UnsafeRawBufferPointer(rebasing: bytes[name])
                    if wanted.contains(where: { $0.elementsEqual(name) }) { members.append((Array(name), valueStart..<offset)) }
                }
            } while try next(UInt8(ascii: "}"), in: "an object")
        case UInt8(ascii: "["):
            guard try open(UInt8(ascii: "]")) else { return }
            repeat { try value(depth: depth + 1) } while try next(UInt8(ascii: "]"), in: "an array")
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try expect("true")
        case UInt8(ascii: "f"): try expect("false")
        case UInt8(ascii: "n"): try expect("null")
        default: try number()
        }
    }

    private mutating func string() throws(Invalid) {
        offset += 1
        while offset < bytes.count {
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                return
            case UInt8(ascii: "\\"):
                guard offset + 1 < bytes.count else { throw Invalid(offset: offset, reason: "unexpected end in a string") }
                let escaped = bytes[offset + 1]
                if escaped == UInt8(ascii: "u") {
                    guard offset + 6 <= bytes.count, (2..<6).allSatisfy({ JSONScan.isHex(bytes[offset + $0]) }) else {
                        throw Invalid(offset: offset, reason: "bad \\u escape")
                    }
                    offset += 6
                } else {
                    guard Array("\"\\/bfnrt".utf8).contains(escaped) else { throw Invalid(offset: offset, reason: "bad escape") }
                    offset += 2
                }
            case 0..<0x20: throw Invalid(offset: offset, reason: "a control character in a string")
            case 0x80...:
                offset += try JSONScan.utf8Length(bytes, offset)
            default:
                offset += 1
            }
        }
        throw Invalid(offset: offset, reason: "unterminated string")
    }

    /// The length of the valid UTF-8 sequence at `offset` (no overlongs, surrogates or values past U+10FFFF).
    public static func utf8Length(_ bytes: UnsafeRawBufferPointer, _ offset: Int) throws(Invalid) -> Int {
        let lead = bytes[offset]
        let count: Int
        var minimum: UInt32
        switch lead {
        case 0xc2...0xdf: (count, minimum) = (2, 0x80)
        case 0xe0...0xef: (count, minimum) = (3, 0x800)
        case 0xf0...0xf4: (count, minimum) = (4, 0x10000)
        default: throw Invalid(offset: offset, reason: "invalid UTF-8")
        }
        guard offset + count <= bytes.count else { throw Invalid(offset: offset, reason: "invalid UTF-8") }
        var scalar = UInt32(lead) & (count == 2 ? 0x1f : count == 3 ? 0x0f : 0x07)
        for index in 1..<count {
            let next = bytes[offset + index]
            guard next & 0xc0 == 0x80 else { throw Invalid(offset: offset, reason: "invalid UTF-8") }
            scalar = scalar << 6 | UInt32(next & 0x3f)
        }
        minimum = max(minimum, 0)
        guard scalar >= minimum, scalar <= 0x10ffff, !(0xd800...0xdfff).contains(scalar) else { throw Invalid(offset: offset, reason: "invalid UTF-8") }
        return count
    }

    private mutating func number() throws(Invalid) {
        let start = offset
        if peek() == UInt8(ascii: "-") { offset += 1 }
        guard let first = peek(), JSONScan.isDigit(first) else { throw Invalid(offset: start, reason: "invalid value") }
        offset += 1
        if first != UInt8(ascii: "0") { while let d = peek(), JSONScan.isDigit(d) { offset += 1 } }
        if peek() == UInt8(ascii: ".") {
            offset += 1
            guard let d = peek(), JSONScan.isDigit(d) else { throw Invalid(offset: offset, reason: "invalid number") }
            while let d = peek(), JSONScan.isDigit(d) { offset += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            offset += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { offset += 1 }
            guard let d = peek(), JSONScan.isDigit(d) else { throw Invalid(offset: offset, reason: "invalid number") }
            while let d = peek(), JSONScan.isDigit(d) { offset += 1 }
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isHex(_ byte: UInt8) -> Bool { isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66) }

    /// The member's value as a non-negative integer, if it is one.
    public func integer(_ name: String) -> UInt64? {
        guard let range = members.first(where: { $0.name.elementsEqual(name.utf8) })?.range, !range.isEmpty else { return nil }
        var value: UInt64 = 0
        for index in range {
            let byte = bytes[index]
            guard JSONScan.isDigit(byte) else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte - 0x30))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }

    /// The member's value as the raw bytes of a string without escapes, if it is one.
    public func plainString(_ name: String) -> ArraySlice<UInt8>? {
        guard let range = members.first(where: { $0.name.elementsEqual(name.utf8) })?.range, range.count >= 2,
            bytes[range.lowerBound] == UInt8(ascii: "\""), bytes[range.upperBound - 1] == UInt8(ascii: "\"")
        else { return nil }
        let inner = (range.lowerBound + 1)..<(range.upperBound - 1)
        if inner.contains(where: { bytes[$0] == UInt8(ascii: "\\") }) { return nil }
        return ArraySlice(UnsafeRawBufferPointer(rebasing: bytes[inner]))
    }

    // MARK: - Containers (shared by validating and building)

    /// At `{` or `[`: steps in; false when the container is empty (its `close` is next, and consumed).
    private mutating func open(_ close: UInt8) throws(Invalid) -> Bool {
        offset += 1
        skipSpace()
        guard peek() == close else { return true }
        offset += 1
        return false
    }

    /// A member's name and its `:`; the range of the name's inside.
    private mutating func memberName() throws(Invalid) -> Range<Int> {
        skipSpace()
        guard peek() == UInt8(ascii: "\"") else { throw Invalid(offset: offset, reason: "expected a member name") }
        let start = offset + 1
        try string()
        let name = start..<(offset - 1)
        skipSpace()
        guard peek() == UInt8(ascii: ":") else { throw Invalid(offset: offset, reason: "expected ':'") }
        offset += 1
        return name
    }

    /// After a member or an element: true at `,` (another follows), false at `close`.
    private mutating func next(_ close: UInt8, in container: String) throws(Invalid) -> Bool {
        skipSpace()
        guard let next = peek() else { throw Invalid(offset: offset, reason: "unexpected end inside \(container)") }
        offset += 1
        if next == close { return false }
        guard next == UInt8(ascii: ",") else { throw Invalid(offset: offset - 1, reason: "expected ',' or '\(Character(Unicode.Scalar(close)))'") }
        return true
    }

    // MARK: - Building values

    private mutating func build(depth: Int) throws(Invalid) -> JSONValue {
        guard depth < 64 else { throw Invalid(offset: offset, reason: "nested deeper than 64 levels") }
        skipSpace()
        guard let byte = peek() else { throw Invalid(offset: offset, reason: "unexpected end") }
        switch byte {
        case UInt8(ascii: "{"):
            var members: [(String, JSONValue)] = []
            guard try open(UInt8(ascii: "}")) else { return .object(members) }
            var seen: Set<String> = []
            var repeated = false
            repeat {
                let name = decodedString(try memberName())
                members.append((name, try build(depth: depth + 1)))
                if !seen.insert(name).inserted { repeated = true }
            } while try next(UInt8(ascii: "}"), in: "an object")
            if repeated {
                // The last value of a repeated name, at the place of its first appearance.
                var last: [String: JSONValue] = [:]
                for (name, value) in members { last[name] = value }
                var kept: Set<String> = []
                members = members.compactMap { kept.insert($0.0).inserted ? ($0.0, last[$0.0]!) : nil }
            }
            return .object(members)
        case UInt8(ascii: "["):
            var items: [JSONValue] = []
            guard try open(UInt8(ascii: "]")) else { return .array(items) }
            repeat { items.append(try build(depth: depth + 1)) } while try next(UInt8(ascii: "]"), in: "an array")
            return .array(items)
        case UInt8(ascii: "\""):
            let start = offset
            try string()
            return .string(decodedString((start + 1)..<(offset - 1)))
        case UInt8(ascii: "t"):
            try expect("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expect("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expect("null")
            return .null
        default:
            let start = offset
            try number()
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
            if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let integer = Int64(text) { return .int(integer) }
            return .double(strtod(text, nil))
        }
    }

    /// The text of a string's inside (`inner`, validated by `string()`): escapes decoded, and `\u` pairs joined
    /// into one scalar (a lone surrogate becomes U+FFFD).
    private func decodedString(_ inner: Range<Int>) -> String {
        guard inner.contains(where: { bytes[$0] == UInt8(ascii: "\\") }) else {
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[inner]), as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(inner.count)
        var index = inner.lowerBound
        func hex4(_ at: Int) -> UInt32 {
            var value: UInt32 = 0
            for position in at..<(at + 4) {
                let byte = bytes[position] | 0x20
                value = value << 4 | UInt32(byte >= 0x61 ? byte - 0x61 + 10 : byte - 0x30)
            }
            return value
        }
        while index < inner.upperBound {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            let escaped = bytes[index + 1]
            switch escaped {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(index + 2)
                if (0xd800...0xdbff).contains(scalar), index + 12 <= inner.upperBound, bytes[index + 6] == UInt8(ascii: "\\"),
                    bytes[index + 7] == UInt8(ascii: "u"), case let low = hex4(index + 8), (0xdc00...0xdfff).contains(low)
                {
                    scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                    index += 6
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{fffd}")).utf8))
                index += 6
                continue
            default: out.append(escaped)  // " \ /
            }
            index += 2
        }
        return String(decoding: out, as: UTF8.self)
    }
}
