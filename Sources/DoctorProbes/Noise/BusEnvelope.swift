import DoctorCore

/// The Open Sesame bus envelope, `Message<EventKind>`, as postcard serializes it. Every layout fact below is
/// from upstream's source at release 1.14.2 (ScopeCreep-zip/open-sesame, commit 5bd74188cf98de6b9db7a8f5ec52ff31945fe54f),
/// cited as path:line, and the postcard and uuid crate versions its Cargo.lock pins (postcard 1.1.3, uuid 1.x).
///
/// Postcard (`core-ipc/src/framing.rs:29-44` encodes with `postcard::to_allocvec`): fields in declaration
/// order with no names; `u8` one raw byte; `u32`/`u64` LEB128 varints (at most 5 / 10 bytes); `bool` 0 or 1;
/// `Option` 0, or 1 then the value; strings and byte buffers a varint length then the bytes; sequences and
/// maps a varint count then the items; an enum a varint variant index then its fields; `f64` 8 bytes little
/// endian. A `Uuid` is serialized as bytes (a length of exactly 16, then 16 bytes). Bytes after the value are
/// ignored, as postcard's `from_bytes` does.
///
/// `Message` (`core-ipc/src/message.rs:25-58`): `wire_version: u8` (3, `message.rs:19`), `msg_id: Uuid`,
/// `correlation_id: Option<Uuid>`, `sender: DaemonId` (a transparent UUID, `core-types/src/ids.rs:9-15`),
/// `timestamp: Timestamp {monotonic_ns, wall_ms}` (monotonic first, `core-types/src/constants.rs:29-37`),
/// `payload: EventKind` (`core-types/src/events.rs`: `StatusRequest` 51, a unit variant, l.318;
/// `StatusResponse` 52, l.319-328; `AccessDenied {reason}` 104, l.569-571), `security_level` (`Open` 0 …
/// `SecretsOnly` 3, `core-types/src/security.rs:34-47`), `verified_sender_name: Option<String>`, then the
/// version-3 options `origin_installation: Option<InstallationId>`, `agent_id: Option<AgentId>` and
/// `trust_snapshot: Option<TrustVector>` (`core-types/src/security.rs:413-507`).
enum BusEnvelope {
    static let wireVersion: UInt8 = 3
    static let statusRequest: UInt64 = 51
    static let statusResponse: UInt64 = 52
    static let accessDenied: UInt64 = 104
    /// `SecurityLevel::Internal`: what the sesame CLI sends a StatusRequest at (`open-sesame/src/status.rs:9`),
    /// and the highest level the bus host's subscription receives (`daemon-profile/src/main.rs:368-375`).
    static let levelInternal: UInt64 = 1

    struct StatusResponse: Equatable {
        var activeProfiles: [String]
        var defaultProfile: String
        var daemonUptimes: [(id: [UInt8], milliseconds: UInt64)]
        var locked: Bool
        var lockState: [(profile: String, locked: Bool)]

        static func == (lhs: StatusResponse, rhs: StatusResponse) -> Bool {
            lhs.activeProfiles == rhs.activeProfiles && lhs.defaultProfile == rhs.defaultProfile && lhs.locked == rhs.locked
                && lhs.daemonUptimes.map(\.id) == rhs.daemonUptimes.map(\.id) && lhs.daemonUptimes.map(\.milliseconds) == rhs.daemonUptimes.map(\.milliseconds)
                && lhs.lockState.map(\.profile) == rhs.lockState.map(\.profile) && lhs.lockState.map(\.locked) == rhs.lockState.map(\.locked)
        }
    }

    /// `InstallationId` (`core-types/src/security.rs:413-452`), the parts a reply is judged on.
    struct Installation: Equatable {
        var id: [UInt8]
        var namespace: [UInt8]
        var organization: String?
        var machineBound: Bool
    }

    enum Payload: Equatable {
        case statusResponse(StatusResponse)
        case accessDenied(reason: String)
        /// Any other event; its body is not read, so nothing after it is either.
        case other(UInt64)
    }

    struct Message: Equatable {
        var version: Int
        var id: [UInt8]
        var correlation: [UInt8]?
        var sender: [UInt8]
        var monotonicNanoseconds: UInt64
        var wallMilliseconds: UInt64
        var payload: Payload
        /// The fields after the payload; nil for `.other` payloads, whose bodies are not decoded.
        var securityLevel: UInt64?
        var verifiedSenderName: String?
        var installation: Installation?
        var agent: [UInt8]?
        var hasTrustSnapshot = false
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

        /// A varint of at most `bits` bits, refused as postcard refuses it: too many bytes, or a last byte with
        /// bits beyond the width (`DeserializeBadVarint`). Non-minimal encodings are accepted, as postcard does.
        mutating func varint(_ what: String, bits: Int = 64) throws(Malformed) -> UInt64 {
            let maximumBytes = (bits + 6) / 7
            let lastLimit = UInt8((1 << (bits - 7 * (maximumBytes - 1))) - 1)
            var value: UInt64 = 0
            for index in 0..<maximumBytes {
                let next = try byte(what)
                if index == maximumBytes - 1 {
                    guard next & 0x80 == 0, next <= lastLimit else { throw Malformed(what: "\(what): not a \(bits)-bit varint") }
                }
                value |= UInt64(next & 0x7F) << UInt64(7 * index)
                if next & 0x80 == 0 { return value }
            }
            throw Malformed(what: "\(what): not a \(bits)-bit varint")
        }

        /// A count or length, refused when it cannot fit in what is left (never allocates from a bad prefix).
        mutating func count(_ what: String, each minimum: Int = 1) throws(Malformed) -> Int {
            let value = try varint(what)
            guard value <= UInt64(bytes.count - offset) / UInt64(max(1, minimum)) else { throw Malformed(what: "\(what): length \(value) past the end") }
            return Int(value)
        }

        mutating func fixed(_ count: Int, _ what: String) throws(Malformed) -> [UInt8] {
            guard bytes.count - offset >= count else { throw Malformed(what: "\(what): the message ends early") }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        mutating func raw(_ what: String) throws(Malformed) -> [UInt8] {
            try fixed(try count(what), what)
        }

        /// UTF-8, strictly (postcard: `DeserializeBadUtf8`).
        mutating func string(_ what: String) throws(Malformed) -> String {
            let data = try raw(what)
            guard let text = String(validating: data, as: UTF8.self) else { throw Malformed(what: "\(what): not UTF-8") }
            return text
        }

        /// A `TrustProfileName`: non-empty, at most 64 bytes, an ASCII letter or digit first, then letters,
        /// digits, `-` and `_` (`core-types/src/profile.rs:30-60`; its `Deserialize` validates, l.81-90).
        mutating func profileName(_ what: String) throws(Malformed) -> String {
            let name = try string(what)
            let bytes = Array(name.utf8)
            func alphanumeric(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte) }
            guard let first = bytes.first, bytes.count <= 64, alphanumeric(first),
                bytes.allSatisfy({ alphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
            else { throw Malformed(what: "\(what): \"\(name.prefix(80))\" is not a valid profile name") }
            return name
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

        /// An `Option` tag: 0 or 1 (postcard: `DeserializeBadOption`).
        mutating func present(_ what: String) throws(Malformed) -> Bool {
            switch try byte(what) {
            case 0: return false
            case 1: return true
            case let other: throw Malformed(what: "\(what): option tag \(other)")
            }
        }

        /// An enum's variant index, which must be below `cases`.
        mutating func variant(_ what: String, cases: UInt64) throws(Malformed) -> UInt64 {
            let index = try varint(what, bits: 32)
            guard index < cases else { throw Malformed(what: "\(what): variant \(index) of \(cases)") }
            return index
        }
    }

    /// A StatusRequest as the sesame CLI builds it (`core-ipc/src/client.rs:281-309`): a fresh msg_id, no
    /// correlation, the connection's sender id, the timestamp, level Internal, and no version-3 fields.
    static func statusRequest(id: [UInt8], sender: [UInt8], monotonicNanoseconds: UInt64, wallMilliseconds: UInt64, level: UInt64 = levelInternal) -> [UInt8] {
        var writer = Writer()
        writer.bytes.append(wireVersion)
        writer.raw(id)
        writer.bytes.append(0)  // correlation_id: None (a message with one is routed as a response, core-ipc/src/server.rs:810-842)
        writer.raw(sender)
        writer.varint(monotonicNanoseconds)
        writer.varint(wallMilliseconds)
        writer.varint(statusRequest)
        writer.varint(level)
        writer.bytes += [0, 0, 0, 0]  // verified_sender_name, origin_installation, agent_id, trust_snapshot: None
        return writer.bytes
    }

    /// Decodes a message. The body of a StatusResponse or an AccessDenied is read whole, then the fields after
    /// it; any other event stops at its variant index (`payload` `.other`).
    static func decode(_ bytes: [UInt8]) throws(Reader.Malformed) -> Message {
        var reader = Reader(bytes: bytes)
        let version = Int(try reader.byte("wire_version"))
        let id = try reader.uuid("msg_id")
        let correlation: [UInt8]? = try reader.present("correlation_id") ? try reader.uuid("correlation_id") : nil
        let sender = try reader.uuid("sender")
        let monotonic = try reader.varint("timestamp.monotonic_ns")
        let wall = try reader.varint("timestamp.wall_ms")
        let variant = try reader.varint("payload", bits: 32)
        let payload: Payload
        switch variant {
        case statusResponse: payload = .statusResponse(try statusResponseBody(&reader))
        case accessDenied: payload = .accessDenied(reason: try reader.string("AccessDenied.reason"))
        default:
            return Message(version: version, id: id, correlation: correlation, sender: sender, monotonicNanoseconds: monotonic, wallMilliseconds: wall, payload: .other(variant))
        }
        var message = Message(version: version, id: id, correlation: correlation, sender: sender, monotonicNanoseconds: monotonic, wallMilliseconds: wall, payload: payload)
        message.securityLevel = try reader.variant("security_level", cases: 4)
        message.verifiedSenderName = try reader.present("verified_sender_name") ? try reader.string("verified_sender_name") : nil
        if try reader.present("origin_installation") { message.installation = try installation(&reader) }
        message.agent = try reader.present("agent_id") ? try reader.uuid("agent_id") : nil
        if try reader.present("trust_snapshot") {
            try trustVector(&reader)
            message.hasTrustSnapshot = true
        }
        return message
    }

    /// `StatusResponse` (`core-types/src/events.rs:319-328`).
    static func statusResponseBody(_ reader: inout Reader) throws(Reader.Malformed) -> StatusResponse {
        var active: [String] = []
        for _ in 0..<(try reader.count("active_profiles")) { active.append(try reader.profileName("active_profiles[]")) }
        let defaultProfile = try reader.profileName("default_profile")
        var uptimes: [(id: [UInt8], milliseconds: UInt64)] = []
        for _ in 0..<(try reader.count("daemon_uptimes_ms", each: 18)) {
            uptimes.append((try reader.uuid("daemon_uptimes_ms[].0"), try reader.varint("daemon_uptimes_ms[].1")))
        }
        let locked = try reader.bool("locked")
        var lockState: [(profile: String, locked: Bool)] = []
        for _ in 0..<(try reader.count("lock_state", each: 2)) {
            lockState.append((try reader.profileName("lock_state key"), try reader.bool("lock_state value")))
        }
        return StatusResponse(activeProfiles: active, defaultProfile: defaultProfile, daemonUptimes: uptimes, locked: locked, lockState: lockState)
    }

    /// `InstallationId {id, org_ns: Option<{domain, namespace}>, namespace, machine_binding: Option<{binding_hash:
    /// [u8; 32], binding_type}>}` (`core-types/src/security.rs:413-452`; `binding_type` MachineId 0, TpmBound 1).
    static func installation(_ reader: inout Reader) throws(Reader.Malformed) -> Installation {
        let id = try reader.uuid("origin_installation.id")
        var organization: String?
        if try reader.present("origin_installation.org_ns") {
            organization = try reader.string("origin_installation.org_ns.domain")
            _ = try reader.uuid("origin_installation.org_ns.namespace")
        }
        let namespace = try reader.uuid("origin_installation.namespace")
        var bound = false
        if try reader.present("origin_installation.machine_binding") {
            _ = try reader.fixed(32, "origin_installation.machine_binding.binding_hash")
            _ = try reader.variant("origin_installation.machine_binding.binding_type", cases: 2)
            bound = true
        }
        return Installation(id: id, namespace: namespace, organization: organization, machineBound: bound)
    }

    /// `TrustVector` (`core-types/src/security.rs:493-507`): `authn_strength` (5 levels, l.461-469),
    /// `authz_freshness: Duration {secs: u64, nanos: u32}`, `delegation_depth: u8`, `device_posture: f64`,
    /// `network_exposure` (4 levels, l.475-486), `agent_type` (Human; AI {model_family}; Service {unit};
    /// Extension {manifest_hash: [u8; 32]}, l.350-361). Read to check it and to reach what follows; not kept.
    static func trustVector(_ reader: inout Reader) throws(Reader.Malformed) {
        _ = try reader.variant("trust_snapshot.authn_strength", cases: 5)
        _ = try reader.varint("trust_snapshot.authz_freshness.secs")
        _ = try reader.varint("trust_snapshot.authz_freshness.nanos", bits: 32)
        _ = try reader.byte("trust_snapshot.delegation_depth")
        _ = try reader.fixed(8, "trust_snapshot.device_posture")
        _ = try reader.variant("trust_snapshot.network_exposure", cases: 4)
        switch try reader.variant("trust_snapshot.agent_type", cases: 4) {
        case 1: _ = try reader.string("trust_snapshot.agent_type.model_family")
        case 2: _ = try reader.string("trust_snapshot.agent_type.unit")
        case 3: _ = try reader.fixed(32, "trust_snapshot.agent_type.manifest_hash")
        default: break
        }
    }
}
