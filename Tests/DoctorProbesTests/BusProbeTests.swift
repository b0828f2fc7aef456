import DoctorCore
import DoctorTestSupport
import Foundation
import Testing

@testable import DoctorProbes

/// The responder of `Fixtures/noise/responder.py` (PyPI noiseprotocol) on a Unix socket in a directory of its
/// own, with a fresh server key pair written as `bus.key` / `bus.pub`.
final class NoiseResponder: @unchecked Sendable {
    let directory = TemporaryDirectory(prefix: "doctor-bus")
    let process: ChildProcess
    let socket: String
    let serverKey: X25519PrivateKey

    init(mode: String = "normal") throws {
        // The responder's key file holds the raw private key, as daemon-profile writes bus.key.
        let serverBytes = (0..<32).map { _ in UInt8.random(in: 0...255) }
        serverKey = try X25519PrivateKey(rawRepresentation: serverBytes)
        socket = directory.path + "/bus.sock"
        let keyFile = directory.path + "/bus.key"
        _ = FileManager.default.createFile(atPath: keyFile, contents: Data(serverBytes), attributes: [.posixPermissions: 0o600])
        _ = FileManager.default.createFile(atPath: directory.path + "/bus.pub", contents: Data(serverKey.publicKey))
        let out = directory.path + "/responder.out"
        process = try ChildProcess(["/usr/bin/env", "python3", fixtures + "/noise/responder.py", socket, keyFile, "--mode", mode], stdout: out)
        guard ChildProcess.waitFor(seconds: 15, { (try? String(contentsOfFile: out, encoding: .utf8))?.contains("ready") == true }) else {
            throw ToolError("responder did not start: \((try? String(contentsOfFile: out, encoding: .utf8)) ?? "")")
        }
    }

    func check(_ id: String, _ extra: String = "", expect: String) -> String {
        fileCheck(id, "{type: noise-ik, socket: \"\(socket)\"\(extra)}", expect)
    }
}

@Suite(.serialized) struct NoiseIKProbeTests {
    @Test func handshakeAndStatusRoundTripsWithNoiseprotocol() async throws {
        let responder = try NoiseResponder()
        let results = try await runChecks(
            responder.check("status", ", status_requests: 10", expect: """
                {handshake: true, wire_version: 3, round_trips: 10, locked: false, default_profile: default, \
                active_profiles: [default, work], peer_uid: "${UID}", latency_median: {gt: 0s, lt: 1s}, latency_max: {lt: 2s}}
                """)
                + responder.check("handshake-only", expect: "{handshake: true, round_trips: 0, handshake_time: {lt: 3s}}"),
            variables: ["UID": String(geteuid())])
        #expect(results.map(\.status) == [.pass, .pass], "\(results.map(\.message))")
        let seen = try #require(results[0].observed.first)
        #expect(seen.value("peer_pid") == .int(Int64(responder.process.pid)))
        let median = try #require(seen.value("latency_median")?.asDouble)
        let maximum = try #require(seen.value("latency_max")?.asDouble)
        #expect(median <= maximum)
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
        #expect(elapsed > .milliseconds(600) && elapsed < .seconds(3), "took \(elapsed)")
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

    @Test func thePrologueIsOrderedByPid() {
        let peer = UnixSocket.Credentials(pid: 50, uid: 1000, gid: 1000)
        #expect(BusSession.prologue(ourPID: 900, ourUID: 1000, peer: peer) == "PDS-IPC-v1:50:1000:900:1000")
        #expect(BusSession.prologue(ourPID: 7, ourUID: 0, peer: peer) == "PDS-IPC-v1:7:0:50:1000")
    }
}

@Suite(.serialized) struct UnixSocketProbeTests {
    @Test func aListeningSocketAndItsPeer() async throws {
        let responder = try NoiseResponder()
        let results = try await runChecks(
            fileCheck("socket", "{type: unix-socket, path: \"\(responder.socket)\"}", "{type: socket, mode: \"0700\", listening: true, stale: false, peer_uid: \"${UID}\"}")
                + fileCheck("default", "{type: unix-socket, path: \"\(responder.socket)\"}")
                + fileCheck("no-connect", "{type: unix-socket, path: \"\(responder.socket)\", connect: false}", "{type: socket, dir_mode: {within: \"0777\"}}"),
            variables: ["UID": String(geteuid())])
        #expect(results.map(\.status) == [.pass, .pass, .pass], "\(results.map(\.message))")
        #expect(results[0].observed.first?.value("peer_pid") == .int(Int64(responder.process.pid)))
    }

    @Test func aStaleSocketIsToldApart() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-stale")
        let path = directory.path + "/bus.sock"
        // A listener that exits without removing its socket file.
        let gone = try ChildProcess(["/usr/bin/python3", "-c", "import socket; s = socket.socket(socket.AF_UNIX); s.bind('\(path)'); s.listen(1)"])
        await gone.wait()
        let results = try await runChecks(
            fileCheck("stale", "{type: unix-socket, path: \"\(path)\"}", "{stale: false, listening: true}")
                + fileCheck("stale-flag", "{type: unix-socket, path: \"\(path)\"}", "{type: socket, stale: true}")
                + fileCheck("bus-stale", "{type: noise-ik, socket: \"\(path)\", server_key: \"\(path)\"}")
                + fileCheck("missing", "{type: unix-socket, path: \"\(directory.path)/none.sock\"}"))
        #expect(results.map(\.status) == [.fail, .pass, .fail, .fail], "\(results.map(\.message))")
        #expect(results[0].message == "stale socket: nothing is listening on \(path) (expected stale == false, listening == true)")
        #expect(results[3].message.contains("does not exist"))
    }

    /// A failed connect must close its descriptor exactly once: a second close would shut whatever another
    /// thread was given that number in between (CI once saw `SO_PEERCRED: Bad file descriptor` that way).
    @Test func aFailedConnectNeverClosesAnotherThreadsDescriptor() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-double-close")
        let path = directory.path + "/stale.sock"
        let gone = try ChildProcess(["/usr/bin/python3", "-c", "import socket; s = socket.socket(socket.AF_UNIX); s.bind('\(path)'); s.listen(1)"])
        await gone.wait()
        let deadline = ContinuousClock.now + .seconds(30)
        async let refusals: Void = Task.detached {
            for _ in 0..<20_000 { _ = try? UnixSocket(path: path, deadline: deadline) }
        }.value
        let lost = await Task.detached { () -> Int in
            var lost = 0
            for _ in 0..<20_000 {
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else { continue }
                sched_yield()
                if fcntl(ends[0], F_GETFD) < 0 { lost += 1 } else { close(ends[0]) }
                if fcntl(ends[1], F_GETFD) < 0 { lost += 1 } else { close(ends[1]) }
            }
            return lost
        }.value
        await refusals
        #expect(lost == 0, "\(lost) descriptors were closed by another thread")
    }

    @Test func aListenerOfAnotherUserFailsTheCredentialExpectation() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-peer")
        chmod(directory.path, 0o777)
        let path = directory.path + "/other.sock"
        let ready = directory.path + "/ready"
        // Debian's python3 as nobody: bind, listen, say so, wait.
        let script = "import socket, time; s = socket.socket(socket.AF_UNIX); s.bind('\(path)'); s.listen(4); open('\(ready)', 'w').close(); time.sleep(60)"
        let listener = try ChildProcess(["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "/usr/bin/python3", "-c", script])
        #expect(await ChildProcess.waitFor(seconds: 10) { FileManager.default.fileExists(atPath: ready) })
        let nobody = try #require(getpwnam("nobody")).pointee.pw_uid
        let results = try await runChecks(
            fileCheck("mine", "{type: unix-socket, path: \"\(path)\"}", "{listening: true, peer_uid: \"${UID}\"}")
                + fileCheck("theirs", "{type: unix-socket, path: \"\(path)\"}", "{peer_uid: nobody, owner: nobody}"),
            variables: ["UID": String(geteuid())])
        _ = listener
        #expect(results.map(\.status) == [.fail, .pass], "\(results.map(\.message))")
        #expect(results[0].message == "\(path): peer_uid is nobody (\(nobody)), expected == \(geteuid())")
    }
}
