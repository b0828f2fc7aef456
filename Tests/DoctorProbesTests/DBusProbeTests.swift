import CSystemd
import DoctorCore
import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

/// A private dbus-daemon for one test: its own configuration, socket and service directory (so activatable
/// names can be declared), stopped afterwards.
final class PrivateBus: @unchecked Sendable {
    let directory = TemporaryDirectory(prefix: "doctor-dbus")
    let address: String
    private var pid: pid_t = 0

    init(activatable: [String] = []) throws {
        let services = directory.path + "/services"
        try FileManager.default.createDirectory(atPath: services, withIntermediateDirectories: true)
        for name in activatable {
            directory.write("services/\(name).service", "[D-BUS Service]\nName=\(name)\nExec=/bin/false\n")
        }
        address = "unix:path=\(directory.path)/bus"
        directory.write("bus.conf", """
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>session</type>
              <listen>\(address)</listen>
              <servicedir>\(services)</servicedir>
              <policy context="default">
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
              </policy>
            </busconfig>
            """)
        // posix_spawn and waitpid: Foundation's Process.waitUntilExit() can spin forever when called from deinit.
        let arguments = ["/usr/bin/dbus-daemon", "--config-file=\(directory.path)/bus.conf", "--nofork", "--nopidfile"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, arguments[0], nil, nil, &argv, environ) == 0 else { throw ToolError("cannot start dbus-daemon") }
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: directory.path + "/bus") { usleep(10_000) }
        guard FileManager.default.fileExists(atPath: directory.path + "/bus") else { throw ToolError("dbus-daemon did not start") }
    }

    /// Takes `name` on the bus from this process, for as long as the returned connection lives.
    func own(_ name: String) throws -> NameOwner { try NameOwner(address: address, name: name) }

    deinit {
        kill(pid, SIGKILL)
        waitpid(pid, nil, 0)
    }
}

struct ToolError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A real connection holding a name (sd_bus_request_name).
final class NameOwner: @unchecked Sendable {
    private var bus: OpaquePointer?

    init(address: String, name: String) throws {
        var handle: OpaquePointer?
        guard sd_bus_new(&handle) >= 0, let handle else { throw ToolError("sd_bus_new failed") }
        bus = handle
        guard sd_bus_set_address(handle, address) >= 0, sd_bus_set_bus_client(handle, 1) >= 0, sd_bus_start(handle) >= 0,
            sd_bus_request_name(handle, name, 0) >= 0
        else { throw ToolError("cannot own \(name)") }
    }

    deinit { sd_bus_flush_close_unref(bus) }
}

func dbusCheck(_ id: String, _ probe: String, _ expect: String? = nil, extra: String = "") -> String {
    fileCheck(id, probe, expect, extra: extra)
}

@Suite(.serialized) struct DBusProbeTests {
    @Test func namesOwnedActivatableAndAbsent() async throws {
        let bus = try PrivateBus(activatable: ["org.example.Activatable"])
        let owner = try bus.own("org.example.Owned")
        let results = try await runChecks(
            dbusCheck("reachable", "{type: dbus, address: \"\(bus.address)\"}")
                + dbusCheck("owned", "{type: dbus, address: \"\(bus.address)\", name: org.example.Owned}", "{owned: true, owner: {matches: \"^:1\\\\.[0-9]+$\"}}")
                + dbusCheck("not-owned", "{type: dbus, address: \"\(bus.address)\", name: org.example.Nobody}", "{owned: true}")
                + dbusCheck("activatable", "{type: dbus, address: \"\(bus.address)\", name: org.example.Activatable}", "{owned: false, activatable: true}")
                + dbusCheck("not-activatable", "{type: dbus, address: \"\(bus.address)\", name: org.example.Owned}", "{activatable: true}"))
        _ = owner
        #expect(results.map(\.status) == [.pass, .pass, .fail, .pass, .fail])
        #expect(results[2].message == "org.example.Nobody has no owner (expected owned == true)")
        #expect(results[4].message == "org.example.Owned on the bus at \(bus.address): activatable is false, expected == true")
    }

    @Test func theSessionBusComesFromTheEnvironment() async throws {
        let bus = try PrivateBus()
        let viaAddress = try await runChecks(dbusCheck("session", "{type: dbus}"), variables: ["DBUS_SESSION_BUS_ADDRESS": bus.address])
        #expect(viaAddress.map(\.status) == [.pass])
        // $XDG_RUNTIME_DIR/bus when DBUS_SESSION_BUS_ADDRESS is empty.
        let viaRuntimeDir = try await runChecks(dbusCheck("session", "{type: dbus}"), variables: ["DBUS_SESSION_BUS_ADDRESS": "", "XDG_RUNTIME_DIR": bus.directory.path])
        #expect(viaRuntimeDir.map(\.status) == [.pass])
    }

    @Test func noBusFailsFastWithTheReason() async throws {
        let started = Date()
        let results = try await runChecks(dbusCheck("none", "{type: dbus, address: \"unix:path=/nonexistent/bus\"}", extra: "timeout: 10s"))
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(results.map(\.status) == [.fail])
        #expect(results[0].message.contains("cannot connect to the bus at unix:path=/nonexistent/bus"))
        #expect(results[0].message.contains("No such file or directory"))
    }

    @Test func aBusThatNeverAnswersIsAnErrorAtTheDeadline() async throws {
        // A socket that accepts connections (the kernel's backlog) and never says a word.
        let directory = TemporaryDirectory(prefix: "doctor-silent")
        let path = directory.path + "/bus"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, byte) in path.utf8.enumerated() { raw[i] = byte } }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        listen(fd, 8)
        let started = Date()
        let results = try await runChecks(dbusCheck("silent", "{type: dbus, address: \"unix:path=\(path)\"}", extra: "timeout: 700ms"))
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed > 0.5 && elapsed < 3, "took \(elapsed)s")
        #expect(results.count == 1)
        #expect(results[0].status == .fail || results[0].status == .error)
        #expect(results[0].message.contains("deadline") || results[0].message.contains("timed out"), "\(results[0].message)")
    }
}
