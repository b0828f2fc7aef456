/// A validating JSON scanner over raw bytes (RFC 8259), for one line of a JSON-lines log: it checks the whole
/// value (syntax, UTF-8, nesting up to 64 levels) without building it, and hands back the top-level members the
/// caller asks for, as raw byte ranges. No allocation per value.
struct JSONScan {
    struct Invalid: Error {
        var offset: Int
        var reason: String
    }

    let bytes: UnsafeRawBufferPointer
    var offset = 0
    /// Top-level member name → the byte range of its value.
    var members: [(name: [UInt8], range: Range<Int>)] = []
    let wanted: [[UInt8]]

    init(_ bytes: UnsafeRawBufferPointer, wanted: [[UInt8]]) {
        self.bytes = bytes
        self.wanted = wanted
    }

    /// Validates the whole buffer as one JSON object (surrounding whitespace allowed).
    mutating func object() throws(Invalid) {
        skipSpace()
        guard peek() == UInt8(ascii: "{") else { throw Invalid(offset: offset, reason: "not a JSON object") }
        try value(depth: 0, topLevel: true)
        skipSpace()
        guard offset == bytes.count else { throw Invalid(offset: offset, reason: "text after the JSON value") }
    }

    /// Validates the whole buffer as one JSON value of any type.
    mutating func document() throws(Invalid) {
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
            offset += 1
            skipSpace()
            if peek() == UInt8(ascii: "}") {
                offset += 1
                return
            }
            while true {
                skipSpace()
                guard peek() == UInt8(ascii: "\"") else { throw Invalid(offset: offset, reason: "expected a member name") }
                let nameStart = offset + 1
                try string()
                let nameEnd = offset - 1
                skipSpace()
                guard peek() == UInt8(ascii: ":") else { throw Invalid(offset: offset, reason: "expected ':'") }
                offset += 1
                skipSpace()
                let valueStart = offset
                try value(depth: depth + 1)
                if topLevel {
                    let name = UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd])
                    if wanted.contains(where: { $0.elementsEqual(name) }) { members.append((Array(name), valueStart..<offset)) }
                }
                skipSpace()
                guard let next = peek() else { throw Invalid(offset: offset, reason: "unexpected end inside an object") }
                offset += 1
                if next == UInt8(ascii: "}") { return }
                guard next == UInt8(ascii: ",") else { throw Invalid(offset: offset - 1, reason: "expected ',' or '}'") }
            }
        case UInt8(ascii: "["):
            offset += 1
            skipSpace()
            if peek() == UInt8(ascii: "]") {
                offset += 1
                return
            }
            while true {
                try value(depth: depth + 1)
                skipSpace()
                guard let next = peek() else { throw Invalid(offset: offset, reason: "unexpected end inside an array") }
                offset += 1
                if next == UInt8(ascii: "]") { return }
                guard next == UInt8(ascii: ",") else { throw Invalid(offset: offset - 1, reason: "expected ',' or ']'") }
            }
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
    static func utf8Length(_ bytes: UnsafeRawBufferPointer, _ offset: Int) throws(Invalid) -> Int {
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
    func integer(_ name: String) -> UInt64? {
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
    func plainString(_ name: String) -> ArraySlice<UInt8>? {
        guard let range = members.first(where: { $0.name.elementsEqual(name.utf8) })?.range, range.count >= 2,
            bytes[range.lowerBound] == UInt8(ascii: "\""), bytes[range.upperBound - 1] == UInt8(ascii: "\"")
        else { return nil }
        let inner = (range.lowerBound + 1)..<(range.upperBound - 1)
        if inner.contains(where: { bytes[$0] == UInt8(ascii: "\\") }) { return nil }
        return ArraySlice(UnsafeRawBufferPointer(rebasing: bytes[inner]))
    }
}
