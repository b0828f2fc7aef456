import CSystemd
import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// Reading and writing D-Bus message bodies through sd-bus's non-variadic calls (`read_basic`, `append_basic`,
/// `enter_container`): Swift cannot call the variadic `sd_bus_message_read`/`append`.
enum DBusMessage {
    /// `UINT64_MAX` in a `t` value is systemd's "infinity" (no limit); it and anything above `Int64.max` read as
    /// `ByteSize.infinity`.
    static func clamp(_ value: UInt64) -> Int64 { value > UInt64(Int64.max) ? ByteSize.infinity : Int64(value) }

    /// Reads the next complete value of the message (descending into variants, arrays and structs) as a `Value`:
    /// integers as `.int`, `d` as `.double`, `b` as `.bool`, strings and object paths as `.string`, arrays and
    /// structs as `.list`, and dictionaries as a list of `key=value` strings. Nil at the end of the container.
    static func readValue(_ message: OpaquePointer) throws(ProbeError) -> Value? {
        var type: CChar = 0
        var contents: UnsafePointer<CChar>?
        let rc = sd_bus_message_peek_type(message, &type, &contents)
        guard rc >= 0 else { throw ProbeError("unreadable D-Bus reply: \(DBusClient.text(rc))") }
        if rc == 0 { return nil }
        let code = UInt8(bitPattern: type)
        switch code {
        case UInt8(ascii: "v"), UInt8(ascii: "a"), UInt8(ascii: "r"), UInt8(ascii: "e"):
            let inner = contents.map { String(cString: $0) } ?? ""
            guard sd_bus_message_enter_container(message, type, contents) > 0 else {
                throw ProbeError("unreadable D-Bus reply: cannot enter '\(Character(Unicode.Scalar(code)))\(inner)'")
            }
            defer { sd_bus_message_exit_container(message) }
            if code == UInt8(ascii: "v") { return try readValue(message) ?? .null }
            if code == UInt8(ascii: "e") {
                let key = try readValue(message) ?? .null
                let value = try readValue(message) ?? .null
                return .string("\(key.display())=\(value.display())")
            }
            var items: [Value] = []
            while let item = try readValue(message) { items.append(item) }
            return .list(items)
        default:
            return try readBasic(message, type)
        }
    }

    static func readBasic(_ message: OpaquePointer, _ type: CChar) throws(ProbeError) -> Value {
        func read<T: BitwiseCopyable>(_ initial: T) throws(ProbeError) -> T {
            var value = initial
            let rc = sd_bus_message_read_basic(message, type, &value)
            guard rc > 0 else { throw ProbeError("unreadable D-Bus reply: \(rc < 0 ? DBusClient.text(rc) : "no value")") }
            return value
        }
        switch UInt8(bitPattern: type) {
        case UInt8(ascii: "y"): return .int(Int64(try read(UInt8(0))))
        case UInt8(ascii: "n"): return .int(Int64(try read(Int16(0))))
        case UInt8(ascii: "q"): return .int(Int64(try read(UInt16(0))))
        case UInt8(ascii: "i"), UInt8(ascii: "h"): return .int(Int64(try read(Int32(0))))
        case UInt8(ascii: "u"): return .int(Int64(try read(UInt32(0))))
        case UInt8(ascii: "x"): return .int(try read(Int64(0)))
        case UInt8(ascii: "t"): return .int(clamp(try read(UInt64(0))))
        case UInt8(ascii: "d"): return .double(try read(Double(0)))
        case UInt8(ascii: "b"): return .bool(try read(Int32(0)) != 0)
        case UInt8(ascii: "s"), UInt8(ascii: "o"), UInt8(ascii: "g"):
            guard let pointer = try read(UnsafePointer<CChar>?.none) else { throw ProbeError("unreadable D-Bus reply: null string") }
            return .string(String(cString: pointer))
        default:
            throw ProbeError("unreadable D-Bus reply: unknown type '\(Character(Unicode.Scalar(UInt8(bitPattern: type))))'")
        }
    }

    /// Reads every remaining top-level value.
    static func readAll(_ message: OpaquePointer) throws(ProbeError) -> [Value] {
        var out: [Value] = []
        while let value = try readValue(message) { out.append(value) }
        return out
    }

    /// Reads an `a{sv}` reply (`Properties.GetAll`) into name/value pairs.
    static func readProperties(_ message: OpaquePointer) throws(ProbeError) -> [String: Value] {
        guard sd_bus_message_enter_container(message, CChar(UInt8(ascii: "a")), "{sv}") > 0 else {
            throw ProbeError("unexpected reply: expected a{sv}")
        }
        var out: [String: Value] = [:]
        while sd_bus_message_enter_container(message, CChar(UInt8(ascii: "e")), "sv") > 0 {
            var name: UnsafePointer<CChar>?
            guard sd_bus_message_read_basic(message, CChar(UInt8(ascii: "s")), &name) > 0, let name else {
                throw ProbeError("unexpected reply: property without a name")
            }
            let key = String(cString: name)
            out[key] = try readValue(message) ?? .null
            sd_bus_message_exit_container(message)
        }
        sd_bus_message_exit_container(message)
        return out
    }

    /// An argument of a method call, typed by its D-Bus signature character.
    enum Argument: Equatable {
        case string(String, CChar)
        case bool(Bool)
        case signed(Int64, CChar)
        case unsigned(UInt64, CChar)
        case double(Double)

        /// Parses `text` as an argument of the basic type `code` (`s`, `o`, `g`, `b`, `y`, `n`, `q`, `i`, `u`, `x`,
        /// `t`, `d`).
        init(_ text: String, type code: Character) throws(ProbeError) {
            let type = CChar(bitPattern: code.asciiValue ?? 0)
            switch code {
            case "s", "o", "g": self = .string(text, type)
            case "b":
                guard let flag = Bool(text) else { throw ProbeError("argument '\(text)' is not a boolean (signature 'b')") }
                self = .bool(flag)
            case "n", "i", "x":
                guard let number = Int64(text) else { throw ProbeError("argument '\(text)' is not an integer (signature '\(code)')") }
                self = .signed(number, type)
            case "y", "q", "u", "t":
                guard let number = UInt64(text) else { throw ProbeError("argument '\(text)' is not an unsigned integer (signature '\(code)')") }
                self = .unsigned(number, type)
            case "d":
                guard let number = Double(text) else { throw ProbeError("argument '\(text)' is not a number (signature 'd')") }
                self = .double(number)
            default:
                throw ProbeError("signature '\(code)' is not a basic type; method arguments must be basic (s o g b y n q i u x t d)")
            }
        }

        func append(to message: OpaquePointer) -> Int32 {
            switch self {
            case .string(let text, let type): return text.withCString { sd_bus_message_append_basic(message, type, $0) }
            case .bool(let flag):
                var value: Int32 = flag ? 1 : 0
                return sd_bus_message_append_basic(message, CChar(UInt8(ascii: "b")), &value)
            case .double(let number):
                var value = number
                return sd_bus_message_append_basic(message, CChar(UInt8(ascii: "d")), &value)
            case .signed(let number, let type):
                switch UInt8(bitPattern: type) {
                case UInt8(ascii: "n"):
                    guard var value = Int16(exactly: number) else { return -ERANGE }
                    return sd_bus_message_append_basic(message, type, &value)
                case UInt8(ascii: "i"):
                    guard var value = Int32(exactly: number) else { return -ERANGE }
                    return sd_bus_message_append_basic(message, type, &value)
                default:
                    var value = number
                    return sd_bus_message_append_basic(message, type, &value)
                }
            case .unsigned(let number, let type):
                switch UInt8(bitPattern: type) {
                case UInt8(ascii: "y"):
                    guard var value = UInt8(exactly: number) else { return -ERANGE }
                    return sd_bus_message_append_basic(message, type, &value)
                case UInt8(ascii: "q"):
                    guard var value = UInt16(exactly: number) else { return -ERANGE }
                    return sd_bus_message_append_basic(message, type, &value)
                case UInt8(ascii: "u"):
                    guard var value = UInt32(exactly: number) else { return -ERANGE }
                    return sd_bus_message_append_basic(message, type, &value)
                default:
                    var value = number
                    return sd_bus_message_append_basic(message, type, &value)
                }
            }
        }
    }
}
