import DoctorCore

/// The Open Sesame bus envelope (`Message<T>`), serialized with postcard: fields in declaration order, integers
/// as LEB128 varints (u8 as one raw byte), enums as a varint variant index, `Option` as 0 or 1 then the value,
/// strings and byte arrays as a varint length then the bytes, sequences and maps as a varint count then items.
///
/// Read from `../shared/reference/open-sesame.md` §2.3: wire version 3; `msg_id` a UUID (16 bytes);
/// `correlation_id: Option<Uuid>`; `sender` a `DaemonId` (a UUID); a `Timestamp` of wall and monotonic
/// milliseconds (two u64); the payload `EventKind` (`StatusRequest` = variant 51, `StatusResponse` = 52); a
/// `security_level` (`Open` = 0 … `SecretsOnly` = 3); then `verified_sender_name`, `origin_installation`,
/// `agent_id` and `trust_snapshot`, taken to be options (sent as None; ignored in replies). The types of the
/// last three are not in the reference: this is the layout the tests' responder speaks too.
enum BusEnvelope {
    static let wireVersion: UInt8 = 3
    static let statusRequest: UInt64 = 51
    static let statusResponse: UInt64 = 52

    struct StatusResponse: Equatable {
        var wireVersion: Int
        var activeProfiles: [String]
        var defaultProfile: String
        var daemonUptimes: [(id: [UInt8], milliseconds: UInt64)]
        var locked: Bool
        var lockState: [(profile: String, locked: Bool)]

        static func == (lhs: StatusResponse, rhs: StatusResponse) -> Bool {
            lhs.wireVersion == rhs.wireVersion && lhs.activeProfiles == rhs.activeProfiles && lhs.defaultProfile == rhs.defaultProfile
                && lhs.locked == rhs.locked && lhs.lockState.map(\.profile) == rhs.lockState.map(\.profile)
                && lhs.lockState.map(\.locked) == rhs.lockState.map(\.locked)
        }
    }

    struct Writer {
        var bytes: [UInt8] = []

        mutating func varint(_ value: UInt64) { LEB128.append(value, to: &bytes) }

        mutating func raw(_ data: [UInt8]) {
            varint(UInt64(data.count))
            bytes += data
        }
    }

    struct Reader {
        struct Malformed: Error { var what: String }

        let bytes: [UInt8]
        var offset = 0

        mutating func byte(_ what: String) throws(Malformed) -> UInt8 {
            guard offset < bytes.count else { throw Malformed(what: "\(what): the message ends early") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func varint(_ what: String) throws(Malformed) -> UInt64 {
            do throws(LEB128.Failure) {
                return try LEB128.read(bytes, at: &offset)
            } catch .ended {
                throw Malformed(what: "\(what): the message ends early")
            } catch {
                throw Malformed(what: "\(what): varint too long")
            }
        }

        /// A count or length, refused when it cannot fit in what is left (never allocates from a bad prefix).
        mutating func count(_ what: String, each minimum: Int = 1) throws(Malformed) -> Int {
            let value = try varint(what)
            guard value <= UInt64(bytes.count - offset) / UInt64(max(1, minimum)) else { throw Malformed(what: "\(what): length \(value) past the end") }
            return Int(value)
        }

        mutating func raw(_ what: String) throws(Malformed) -> [UInt8] {
            let length = try count(what)
            defer { offset += length }
            return Array(bytes[offset..<offset + length])
        }

        mutating func string(_ what: String) throws(Malformed) -> String {
            String(decoding: try raw(what), as: UTF8.self)
        }

        mutating func uuid(_ what: String) throws(Malformed) -> [UInt8] {
            let value = try raw(what)
            guard value.count == 16 else { throw Malformed(what: "\(what): a UUID of \(value.count) bytes") }
            return value
        }

        mutating func bool(_ what: String) throws(Malformed) -> Bool {
            switch try byte(what) {
            case 0: return false
            case 1: return true
            case let other: throw Malformed(what: "\(what): \(other) is not a boolean")
            }
        }
    }

    /// A StatusRequest from an ephemeral client.
    static func statusRequest(id: [UInt8], sender: [UInt8], wallMilliseconds: UInt64, monotonicMilliseconds: UInt64) -> [UInt8] {
        var writer = Writer()
        writer.bytes.append(wireVersion)
        writer.raw(id)
        writer.bytes.append(0)  // correlation_id: None
        writer.raw(sender)
        writer.varint(wallMilliseconds)
        writer.varint(monotonicMilliseconds)
        writer.varint(statusRequest)
        writer.varint(0)  // security_level: Open
        writer.bytes += [0, 0, 0, 0]  // verified_sender_name, origin_installation, agent_id, trust_snapshot: None
        return writer.bytes
    }

    /// The header of any message: its version, correlation and payload variant; the reader is left at the payload.
    static func header(_ reader: inout Reader) throws(Reader.Malformed) -> (version: Int, correlation: [UInt8]?, variant: UInt64) {
        let version = Int(try reader.byte("wire_version"))
        _ = try reader.uuid("msg_id")
        let correlation: [UInt8]? = try reader.bool("correlation_id") ? try reader.uuid("correlation_id") : nil
        _ = try reader.uuid("sender")
        _ = try reader.varint("timestamp.wall")
        _ = try reader.varint("timestamp.monotonic")
        return (version, correlation, try reader.varint("payload"))
    }

    /// The payload of a StatusResponse, after `header`.
    static func statusResponse(_ reader: inout Reader, version: Int) throws(Reader.Malformed) -> StatusResponse {
        var active: [String] = []
        for _ in 0..<(try reader.count("active_profiles")) { active.append(try reader.string("active_profiles[]")) }
        let defaultProfile = try reader.string("default_profile")
        var uptimes: [(id: [UInt8], milliseconds: UInt64)] = []
        for _ in 0..<(try reader.count("daemon_uptimes_ms", each: 18)) {
            uptimes.append((try reader.uuid("daemon_uptimes_ms[].0"), try reader.varint("daemon_uptimes_ms[].1")))
        }
        let locked = try reader.bool("locked")
        var lockState: [(profile: String, locked: Bool)] = []
        for _ in 0..<(try reader.count("lock_state", each: 2)) {
            lockState.append((try reader.string("lock_state key"), try reader.bool("lock_state value")))
        }
        return StatusResponse(wireVersion: version, activeProfiles: active, defaultProfile: defaultProfile, daemonUptimes: uptimes, locked: locked, lockState: lockState)
    }
}
