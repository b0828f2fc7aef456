import DoctorCore
import DoctorTestSupport
import Foundation
import Testing
@testable import DoctorProbes

@Suite(.serialized) struct NoiseIKProbeTests {
    @Test func handshakeAndStatusRoundTripsWithNoiseprotocol() async throws {
        let installation = TemporaryDirectory(prefix: "doctor-bus-installation")
        let id = UUID().uuidString.lowercased(), namespace = UUID().uuidString.lowercased()
        let toml = installation.write("installation.toml", "id = \"\(id)\"\nnamespace = \"\(namespace)\"\n")
        let responder = try NoiseResponder(mode: "normal", ["--installation", toml])
        let results = try await runChecks(
            responder.check("status", ", status_requests: 10", expect: """
                {handshake: true, wire_version: 3, round_trips: 10, locked: false, default_profile: default, \
                active_profiles: [default], initialized: true, installation_id: "\(id)", peer_uid: "${UID}", \
                latency_median: {gt: 0s, lt: 1s}, latency_max: {lt: 2s}}
                """)
                + responder.check("handshake-only", expect: "{handshake: true, round_trips: 0, handshake_time: {lt: 3s}}"),
            variables: ["UID": String(geteuid())])
        #expect(results.map(\.status) == [.pass, .pass], "\(results.map(\.message))")
        let seen = try #require(results[0].observed.first)
        #expect(seen.value("peer_pid") == .int(Int64(responder.process.pid)))
        let median = try #require(seen.value("latency_median")?.asDouble)
        let maximum = try #require(seen.value("latency_max")?.asDouble)
        #expect(median <= maximum)
        // Ten requests on one connection, one sender: the strict host answered every one and refused none.
        #expect(responder.log.filter { $0 == "status request answered" }.count == 10, "\(responder.log)")
        #expect(!responder.log.contains { $0.hasPrefix("access denied") || $0.hasPrefix("malformed") || $0.contains("chunk count") }, "\(responder.log)")
    }

    /// The stand-in refuses what upstream's server refuses (core-ipc/src/noise.rs:152-158, server.rs:674-724,
    /// 810-863), shown by a second client: a bare chunk count closes the connection, a changed sender is
    /// refused with AccessDenied, a correlated or above-Internal request and a malformed frame get no reply.
    @Test func theStandInIsAsStrictAsUpstreamsServer() throws {
        let responder = try NoiseResponder()
        #expect(try responder.initiator("good") == "reply 52")
        #expect(try responder.initiator("bare-count") == "closed")
        #expect(responder.log.contains("disconnect: invalid chunk count header: expected 4 bytes, got 1"), "\(responder.log)")
        #expect(try responder.initiator("changed-sender") == "reply 52, reply 104: sender identity changed mid-session")
        #expect(try responder.initiator("same-sender") == "reply 52, reply 52")
        #expect(try responder.initiator("correlated") == "silent")
        #expect(try responder.initiator("secrets-level") == "silent")
        #expect(try responder.initiator("malformed") == "silent, reply 52")
        #expect(try responder.initiator("short-uuid") == "silent")
        #expect(try responder.initiator("unknown-variant") == "silent, reply 52")
        #expect(responder.log.contains("malformed frame, dropping: uuid of 15 bytes"), "\(responder.log)")
    }

    @Test func aBusThatRefusesTheRequestFailsQuotingItsReason() async throws {
        let responder = try NoiseResponder(mode: "deny", ["--deny-reason", "security clearance insufficient for this request"])
        let results = try await runChecks(responder.check("denied", ", status_requests: 3", expect: "{handshake: true, round_trips: 3}"))
        withExtendedLifetime(responder) {}
        #expect(results.map(\.status) == [.fail], "\(results.map(\.message))")
        #expect(results[0].message.contains("StatusRequest 1 of 3: the bus refused: security clearance insufficient for this request"), "\(results[0].message)")
    }

    /// Before `sesame init` the bus host answers with a stub: no profiles, locked, and no installation identity
    /// (daemon-profile/src/main.rs:224-247).
    @Test func aHostBeforeInitAnswersWithoutAnInstallation() async throws {
        let responder = try NoiseResponder(mode: "pre-init")
        let results = try await runChecks(responder.check(
            "pre-init", ", status_requests: 2", expect: "{round_trips: 2, initialized: false, locked: true, default_profile: default, active_profiles: {empty: true}}"))
        withExtendedLifetime(responder) {}
        #expect(results.map(\.status) == [.pass], "\(results.map(\.message))")
        #expect(results[0].observed.first?.value("installation_id") == nil)
    }

    /// A StatusRequest byte for byte: the layout of upstream's `Message` (core-ipc/src/message.rs:25-58) as the
    /// CLI sends it, with the same sender on every request of a session.
    @Test func theRequestIsLaidOutAsUpstreamsMessage() {
        let id = [UInt8](0x10..<0x20), sender = [UInt8](0xa0..<0xb0)
        let bytes = BusEnvelope.statusRequest(id: id, sender: sender, monotonicNanoseconds: 300, wallMilliseconds: 1_780_000_000_000)
        #expect(bytes[0] == 3)
        #expect(Array(bytes[1...17]) == [16] + id)
        #expect(bytes[18] == 0)  // correlation_id: None
        #expect(Array(bytes[19...35]) == [16] + sender)
        #expect(Array(bytes[36...37]) == [0xac, 0x02])  // monotonic_ns 300 first
        var wall: [UInt8] = []
        LEB128.append(1_780_000_000_000, to: &wall)
        #expect(Array(bytes[38..<38 + wall.count]) == wall)  // then wall_ms
        #expect(Array(bytes[(38 + wall.count)...]) == [51, 1, 0, 0, 0, 0])  // StatusRequest, Internal, four Nones
        #expect(bytes.count == 36 + 2 + wall.count + 6)
    }

    /// The two replies daemon-profile sends, built field by field from its source (full mode: main.rs:544-571
    /// with the context of main.rs:280-283, 340-365; pre-init: main.rs:224-247), decoded byte for byte.
    @Test func repliesDecodeInBothLayouts() throws {
        let request = [UInt8](repeating: 0x11, count: 16), host = [UInt8](repeating: 0x22, count: 16)
        let installation = [UInt8](repeating: 0x33, count: 16), namespace = [UInt8](repeating: 0x44, count: 16), agent = [UInt8](repeating: 0x55, count: 16)
        let name = { (text: String) in [UInt8(text.utf8.count)] + Array(text.utf8) }
        let head: [UInt8] = [3, 16] + [UInt8](repeating: 0x66, count: 16) + [1, 16] + request + [16] + host
            + [0xaf, 0xdc, 0x94, 0xfb, 0x04] + [0xf1, 0xeb, 0x86, 0xa2, 0xa3, 0x34] + [52]
        let full = head + [1] + name("default") + name("default") + [1, 16] + host + [0] + [0] + [2] + name("default") + [0] + name("work") + [1]
            + [0, 0] + [1, 16] + installation + [0, 16] + namespace + [0] + [1, 16] + agent + [0]
        #expect(full.count == 176)
        let decoded = try BusEnvelope.decode(full)
        #expect(decoded.version == 3 && decoded.correlation == request && decoded.sender == host)
        #expect(decoded.monotonicNanoseconds == 0x4f65_2e2f && decoded.wallMilliseconds == 0x1a2_3441_b5f1)
        #expect(decoded.payload == .statusResponse(.init(
            activeProfiles: ["default"], defaultProfile: "default", daemonUptimes: [(id: host, milliseconds: UInt64(0))], locked: false,
            lockState: [(profile: "default", locked: false), (profile: "work", locked: true)])))
        #expect(decoded.securityLevel == 0 && decoded.verifiedSenderName == nil && decoded.agent == agent && !decoded.hasTrustSnapshot)
        #expect(decoded.installation == .init(id: installation, namespace: namespace, organization: nil, machineBound: false))

        let preInit = head + [0] + name("default") + [0] + [1] + [0] + [1] + [0, 0, 0, 0]
        #expect(preInit.count == 82)
        let stub = try BusEnvelope.decode(preInit)
        #expect(stub.payload == .statusResponse(.init(activeProfiles: [], defaultProfile: "default", daemonUptimes: [], locked: true, lockState: [])))
        #expect(stub.securityLevel == 1 && stub.installation == nil && stub.agent == nil)

        // Postcard's refusals: an option tag of 2, a level of 4, a profile name it would not accept, a 64-bit
        // varint with bits past the width, bytes that end early. Trailing bytes are ignored, as postcard does.
        for (bad, what) in [
            (Array(full[0..<18]) + [2] + Array(full[19...]), "correlation_id: option tag 2"),
            (Array(full[0..<118]) + [4] + Array(full[119...]), "security_level: variant 4 of 4"),
            (Array(full[0..<66]) + name("-default") + Array(full[74...]), "is not a valid profile name"),
            (Array(full[0..<53]) + [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02] + Array(full[58...]), "timestamp.monotonic_ns: not a 64-bit varint"),
            (Array(full[0..<150]), "origin_installation.namespace: length 16 past the end"), (Array(full[0..<101]), "locked: the message ends early"),
        ] {
            #expect(throws: BusEnvelope.Reader.Malformed.self, "\(what)") { try BusEnvelope.decode(bad) }
            do { _ = try BusEnvelope.decode(bad) } catch { #expect(error.what.contains(what), "\(error.what)") }
        }
        #expect(try BusEnvelope.decode(full + [9, 9, 9]) == decoded)
    }

    @Test func aServerKeyThatIsNotTheServersFails() async throws {
        let responder = try NoiseResponder()
        let other = responder.directory.path + "/other.pub"
        _ = FileManager.default.createFile(atPath: other, contents: Data(X25519PrivateKey().publicKey))
        let results = try await runChecks(responder.check("wrong", ", server_key: \"\(other)\"", expect: "{handshake: true}"))
        withExtendedLifetime(responder) {}
        #expect(results.map(\.status) == [.fail])
        #expect(results[0].message.contains("Noise IK handshake failed: the bus closed the connection after message 1"), "\(results[0].message)")
    }

    @Test func aBusPubOfTheWrongLengthFailsNamingTheFile() async throws {
        let responder = try NoiseResponder()
        let short = responder.directory.write("short.pub", String(repeating: "k", count: 31))
        let results = try await runChecks(responder.check("short", ", server_key: \"\(short)\"", expect: "{handshake: true}"))
        withExtendedLifetime(responder) {}
        #expect(results.map(\.status) == [.fail])
        #expect(results[0].message.contains("the server key \(short) is 31 bytes, expected 32 raw bytes"), "\(results[0].message)")
    }

    @Test func aResponderThatNeverAnswersIsAnErrorAtTheDeadline() async throws {
        let responder = try NoiseResponder(mode: "silent")
        let started = ContinuousClock.now
        let results = try await runChecks(fileCheck("silent", "{type: noise-ik, socket: \"\(responder.socket)\"}", "{handshake: true}", extra: "timeout: 700ms"))
        let elapsed = ContinuousClock.now - started
        withExtendedLifetime(responder) {}
        #expect(results.map(\.status) == [.error], "\(results.map(\.message))")
        #expect(elapsed > .milliseconds(600) && elapsed < .seconds(10), "took \(elapsed)")
    }

    @Test func hugeAndTruncatedFramesFailCleanly() async throws {
        let huge = try NoiseResponder(mode: "huge-length")
        let truncated = try NoiseResponder(mode: "truncated")
        let bad = try NoiseResponder(mode: "bad-reply")
        let results = try await runChecks(
            huge.check("huge", expect: "{handshake: true}") + truncated.check("truncated", expect: "{handshake: true}")
                + bad.check("bad-reply", ", status_requests: 1", expect: "{handshake: true, round_trips: 1}"))
        withExtendedLifetime((huge, truncated, bad)) {}
        #expect(results.map(\.status) == [.fail, .fail, .fail], "\(results.map(\.message))")
        #expect(results[0].message.contains("announces 4294967295 bytes, more than the 65535 allowed"), "\(results[0].message)")
        #expect(results[1].message.contains("in the middle of handshake message 2 (10 of 48 bytes)"), "\(results[1].message)")
        #expect(results[2].message.contains("malformed reply"), "\(results[2].message)")
        #expect(results[2].message.contains("round_trips is 0, expected == 1"), "\(results[2].message)")
    }

    /// Hostile peers after a valid handshake (issue 20), each with a clean, bounded verdict: a chunk that does not
    /// decrypt, a chunk frame announcing 4 GiB (refused before any allocation), a chunk count of 100,000 (past
    /// upstream's 257), a reply correlated to another request (never taken for the answer), and a peer that
    /// sends its handshake reply one byte per second (cut at the check's deadline).
    @Test func hostilePeersEndCleanlyWithinTheDeadline() async throws {
        let modes = ["garbage", "huge-frame", "many-chunks", "wrong-correlation", "trickle"]
        let responders = try modes.map { try NoiseResponder(mode: $0) }
        let started = ContinuousClock.now
        let results = try await runChecks(zip(modes, responders).map { mode, responder in
            responder.check(mode, ", status_requests: 1", expect: "{handshake: true, round_trips: 1}") + "  timeout: 2s\n"
        }.joined())
        let elapsed = ContinuousClock.now - started
        withExtendedLifetime(responders) {}
        #expect(results.map(\.status) == [.fail, .fail, .fail, .error, .error], "\(results.map(\.message))")
        #expect(elapsed < .seconds(5), "took \(elapsed)")
        let expected = [
            "StatusRequest 1 of 1: a reply chunk did not decrypt: decryption failed (wrong key, or the message was altered)",
            "StatusRequest 1 of 1: a reply chunk announces 4294967295 bytes, more than the 65535 allowed",
            "StatusRequest 1 of 1: a reply of 100000 chunks, more than the 257 allowed",
            "timed out after 2s", "timed out after 2s",
        ]
        for (result, text) in zip(results, expected) {
            #expect(result.message.contains(text), "\(result.check.id): \(result.message)")
        }
        // Each hostile answer was sent (the uncorrelated reply too, which was not taken for the answer).
        for (mode, responder) in zip(modes.prefix(4), responders) {
            #expect(responder.log.contains("hostile: \(mode)"), "\(mode): \(responder.log)")
        }
    }

    @Test func thePrologueIsOrderedByPid() {
        let peer = UnixSocket.Credentials(pid: 50, uid: 1000, gid: 1000)
        #expect(BusSession.prologue(ourPID: 900, ourUID: 1000, peer: peer) == "PDS-IPC-v1:50:1000:900:1000")
        #expect(BusSession.prologue(ourPID: 7, ourUID: 0, peer: peer) == "PDS-IPC-v1:7:0:50:1000")
    }
}
