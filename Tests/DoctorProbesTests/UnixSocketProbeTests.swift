import DoctorCore
import DoctorTestSupport
import Foundation
import Testing
@testable import DoctorProbes

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
