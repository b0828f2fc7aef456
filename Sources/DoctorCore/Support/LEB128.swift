/// Unsigned LEB128 varints, as protobuf (OTLP), postcard (the Open Sesame bus envelope) and the compiled-catalog
/// cache write them: seven bits a byte, least significant first, the high bit set on every byte but the last.
public enum LEB128 {
    public enum Failure: Error, Sendable {
        /// The bytes end inside the varint.
        case ended
        /// More than ten bytes: no 64-bit value is that long.
        case tooLong
    }

    public static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// The varint at `offset`, which moves past it.
    public static func read(_ bytes: [UInt8], at offset: inout Int) throws(Failure) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw .ended }
            let next = bytes[offset]
            offset += 1
            guard shift < 64 else { throw .tooLong }
            value |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return value }
            shift += 7
        }
    }
}
