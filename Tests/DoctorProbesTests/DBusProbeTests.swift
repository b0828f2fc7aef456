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

    /// `systemServices` adds the system's session service directory (`/usr/share/dbus-1/services`), so real
    /// services such as xdg-desktop-portal are activated on this bus; they get `XDG_RUNTIME_DIR` of their own.
    init(activatable: [String] = [], systemServices: Bool = false) throws {
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
              \(systemServices ? "<servicedir>/usr/share/dbus-1/services</servicedir>" : "")
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
        let runtime = directory.path + "/run"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_RUNTIME_DIR"] = runtime
        environment["DBUS_SESSION_BUS_ADDRESS"] = address
        if systemServices {
            // No portal backends: xdg-desktop-portal serves the interfaces it implements itself, without waiting
            // on a GTK backend that needs a display (which would stall activation for the bus's 25 s).
            let backends = directory.path + "/portals"
            try FileManager.default.createDirectory(atPath: backends, withIntermediateDirectories: true)
            environment["XDG_DESKTOP_PORTAL_DIR"] = backends
        }
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        // Its output goes nowhere, never to the test runner's pipes (see ChildProcess).
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        guard posix_spawn(&pid, arguments[0], &actions, nil, &argv, &envp) == 0 else { throw ToolError("cannot start dbus-daemon") }
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: directory.path + "/bus") { usleep(10_000) }
        guard FileManager.default.fileExists(atPath: directory.path + "/bus") else { throw ToolError("dbus-daemon did not start") }
    }

    /// Takes `name` on the bus from this process, for as long as the returned connection lives.
    func own(_ name: String) throws -> NameOwner { try NameOwner(address: address, name: name) }

    /// The pids of the connections on the bus (activated services), from `busctl`.
    func connectionPIDs() throws -> [pid_t] {
        let out = directory.path + "/busctl.out"
        let busctl = try ChildProcess(["/usr/bin/busctl", "--address=\(address)", "list", "--no-legend", "--unique"], stdout: out)
        busctl.wait()
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 2, fields[2] != "busctl", let pid = pid_t(fields[1]), pid != self.pid else { return nil }
            return pid
        }
    }

    deinit {
        // Activated services are this daemon's children until it dies; they are stopped first.
        for child in (try? connectionPIDs()) ?? [] { kill(child, SIGTERM) }
        kill(pid, SIGKILL)
        waitpid(pid, nil, 0)
        // xdg-document-portal mounts FUSE at $XDG_RUNTIME_DIR/doc; never leave it behind.
        if FileManager.default.fileExists(atPath: directory.path + "/run/doc"), let unmount = try? ChildProcess(["/bin/fusermount3", "-u", "-z", directory.path + "/run/doc"]) {
            unmount.wait()
        }
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

@Suite(.serialized) struct DBusProbeTests {
    @Test func namesOwnedActivatableAndAbsent() async throws {
        let bus = try PrivateBus(activatable: ["org.example.Activatable"])
        let owner = try bus.own("org.example.Owned")
        let results = try await runChecks(
            fileCheck("reachable", "{type: dbus, address: \"\(bus.address)\"}")
                + fileCheck("owned", "{type: dbus, address: \"\(bus.address)\", name: org.example.Owned}", "{owned: true, owner: {matches: \"^:1\\\\.[0-9]+$\"}}")
                + fileCheck("not-owned", "{type: dbus, address: \"\(bus.address)\", name: org.example.Nobody}", "{owned: true}")
                + fileCheck("activatable", "{type: dbus, address: \"\(bus.address)\", name: org.example.Activatable}", "{owned: false, activatable: true}")
                + fileCheck("not-activatable", "{type: dbus, address: \"\(bus.address)\", name: org.example.Owned}", "{activatable: true}"))
        _ = owner
        #expect(results.map(\.status) == [.pass, .pass, .fail, .pass, .fail])
        #expect(results[2].message == "org.example.Nobody has no owner (expected owned == true)")
        #expect(results[4].message == "org.example.Owned on the bus at \(bus.address): activatable is false, expected == true")
    }

    @Test func theSessionBusComesFromTheEnvironment() async throws {
        let bus = try PrivateBus()
        let viaAddress = try await runChecks(fileCheck("session", "{type: dbus}"), variables: ["DBUS_SESSION_BUS_ADDRESS": bus.address])
        #expect(viaAddress.map(\.status) == [.pass])
        // $XDG_RUNTIME_DIR/bus when DBUS_SESSION_BUS_ADDRESS is empty.
        let viaRuntimeDir = try await runChecks(fileCheck("session", "{type: dbus}"), variables: ["DBUS_SESSION_BUS_ADDRESS": "", "XDG_RUNTIME_DIR": bus.directory.path])
        withExtendedLifetime(bus) {}
        #expect(viaRuntimeDir.map(\.status) == [.pass])
    }

    @Test func noBusFailsFastWithTheReason() async throws {
        let started = Date()
        let results = try await runChecks(fileCheck("none", "{type: dbus, address: \"unix:path=/nonexistent/bus\"}", extra: "timeout: 10s"))
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(results.map(\.status) == [.fail])
        #expect(results[0].message.contains("cannot connect to the bus at unix:path=/nonexistent/bus"))
        #expect(results[0].message.contains("No such file or directory"))
    }

    @Test func aBusThatNeverAnswersIsAnErrorAtTheDeadline() async throws {
        let silent = SilentSocket(name: "bus")
        let path = silent.path
        let started = Date()
        let results = try await runChecks(fileCheck("silent", "{type: dbus, address: \"unix:path=\(path)\"}", extra: "timeout: 700ms"))
        withExtendedLifetime(silent) {}
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed > 0.5 && elapsed < 10, "took \(elapsed)s")
        #expect(results.count == 1)
        #expect(results[0].status == .fail || results[0].status == .error)
        #expect(results[0].message.contains("deadline") || results[0].message.contains("timed out"), "\(results[0].message)")
    }

    @Test func theRealDesktopPortalAnswersPropertiesAndReadOnlyCalls() async throws {
        // xdg-desktop-portal itself, activated on a private bus with no backends: the interfaces it implements
        // itself (Trash, NetworkMonitor) are there, GlobalShortcuts (which needs a backend) is not.
        guard FileManager.default.fileExists(atPath: "/usr/libexec/xdg-desktop-portal") else {
            Issue.record("xdg-desktop-portal is not installed (scripts/bootstrap installs it)")
            return
        }
        let bus = try PrivateBus(systemServices: true)
        let portal = "type: dbus, address: \"\(bus.address)\", name: org.freedesktop.portal.Desktop, object: /org/freedesktop/portal/desktop"
        let results = try await runChecks(
            fileCheck("trash", "{\(portal), interface: org.freedesktop.portal.Trash, property: version}", "{value: {ge: 1}}", extra: "timeout: 10s")
                + fileCheck("network", "{\(portal), interface: org.freedesktop.portal.NetworkMonitor, method: GetAvailable}", "{value: [true, false]}", extra: "timeout: 10s")
                + fileCheck("shortcuts", "{\(portal), interface: org.freedesktop.portal.GlobalShortcuts, property: version}", "{value: {ge: 1}}", extra: "timeout: 10s")
                + fileCheck("owner-pid", "{type: dbus, address: \"\(bus.address)\", name: org.freedesktop.DBus, object: /org/freedesktop/DBus, interface: org.freedesktop.DBus, method: GetConnectionUnixProcessID, signature: s, arguments: [org.freedesktop.portal.Desktop]}", "{value: {gt: 0}}", extra: "requires: [trash]")
                + fileCheck("refused", "{\(portal), interface: org.freedesktop.portal.Trash, method: \"${DOCTOR_TEST_METHOD}\", signature: h, arguments: ['0']}", "{value: 0}"),
            variables: ["DOCTOR_TEST_METHOD": "TrashFile"])
        #expect(results.map(\.status) == [.pass, .pass, .fail, .pass, .error], "\(results.map(\.message))")
        // Named literally, the same call is refused when the catalog loads (65), before anything runs.
        let literal = await loadError(fileCheck("refused", "{\(portal), interface: org.freedesktop.portal.Trash, method: TrashFile, signature: h, arguments: ['0']}", "{value: 0}"))
        #expect(literal?.contains("[refused] probe 'dbus': refusing to call 'TrashFile'") == true, "\(literal ?? "loaded")")
        #expect(results[2].message.contains("org.freedesktop.DBus.Error.UnknownProperty") || results[2].message.contains("No such interface"), "\(results[2].message)")
        #expect(results[4].message.contains("refusing to call 'TrashFile': only read-only methods may be called"))
        // The pid the typed call returned is the portal's, as busctl (another client) sees it.
        let portalPID = try bus.connectionPIDs()
        let observed = results[3].observed.first?.value("value")?.asInt
        #expect(observed.map { portalPID.contains(pid_t($0)) } == true, "\(String(describing: observed)) not in \(portalPID)")
    }

    /// A hostile service (Fixtures/dbusmock/hostile_service.py, on python-dbusmock): a property of the wrong type,
    /// an array of 1,000,000 elements, and a method that never answers each end with a clean verdict inside the
    /// check's deadline (issue 20).
    @Test func aHostileServiceGetsCleanVerdictsWithinTheDeadline() async throws {
        func start() async throws -> (PrivateBus, ChildProcess) {
            let bus = try PrivateBus()
            let mock = try ChildProcess(
                ["/usr/bin/python3", "-m", "dbusmock", "--session", "--template", fixtures + "/dbusmock/hostile_service.py"],
                environment: ["DBUS_SESSION_BUS_ADDRESS": bus.address], stdout: bus.directory.path + "/dbusmock.log")
            for _ in 0..<300 {
                let up = try await runChecks(fileCheck("up", "{type: dbus, address: \"\(bus.address)\", name: org.doctor.Hostile}", "{owned: true}"))
                if up.first?.status == .pass { return (bus, mock) }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw ToolError("the hostile service did not start: \(bus.directory.read("dbusmock.log") ?? "")")
        }
        let (bus, mock) = try await start()
        let (silentBus, silentMock) = try await start()
        func check(_ id: String, _ address: String, _ what: String, _ expect: String) -> String {
            fileCheck(id, "{type: dbus, address: \"\(address)\", name: org.doctor.Hostile, object: /org/doctor/Hostile, interface: org.doctor.Hostile, \(what)}", expect, extra: "timeout: 2s")
        }
        let started = ContinuousClock.now
        let results = try await runChecks(
            check("wrong-type", bus.address, "property: Count", "{value: {gt: 3}}") + check("huge", bus.address, "property: Huge", "{value: {contains: 999999}}")
                + check("never", silentBus.address, "method: GetNever", "{value: 1}"))
        let elapsed = ContinuousClock.now - started
        withExtendedLifetime((bus, mock, silentBus, silentMock)) {}
        #expect(elapsed < .seconds(5), "took \(elapsed)")
        #expect(results.map(\.status) == [.error, .pass, .error], "\(results.map { $0.message.prefix(300) })")
        #expect(results[0].message.contains("compared a string with a number: value is \"not a number\", expected > 3"), "\(results[0].message)")
        // The whole array was read (999999 is its last item), and the message shows its start, bounded.
        #expect(results[1].message.hasSuffix("value [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, … 999968 more]"), "\(results[1].message.prefix(400))")
        #expect(results[1].message.count < 400)
        // The bus client's own deadline or the runner's, whichever comes first on a loaded machine.
        #expect(results[2].message == "org.doctor.Hostile.GetNever on org.doctor.Hostile did not answer before the deadline"
            || results[2].message == "timed out after 2s", "\(results[2].message)")
    }
}
