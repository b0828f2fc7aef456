import DoctorCore
import DoctorYAML
import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

/// The repository's `Tests/Fixtures` directory.
let fixtures: String = {
    var url = URL(fileURLWithPath: #filePath)
    url.deleteLastPathComponent()
    url.deleteLastPathComponent()
    return url.path + "/Fixtures"
}()

extension ObservedSubject {
    func value(_ name: String) -> Value? { values.first { $0.name == name }?.value }
}

/// python-dbusmock serving `org.freedesktop.systemd1` on a private dbus-daemon, with the units of
/// `Fixtures/systemd/mock-units.json` at systemd's object paths. A mock, because the host has no systemd as
/// PID 1; the same expectations run against a real systemd in the nspawn tier (`SystemdRealManagerTests`).
final class SystemdMock: @unchecked Sendable {
    let bus: PrivateBus
    let mainProcess: ChildProcess
    let mock: ChildProcess
    let log: String

    private init() throws {
        bus = try PrivateBus()
        // The live process every running mock unit names as its MainPID.
        mainProcess = try ChildProcess(["/bin/sleep", "600"])
        log = bus.directory.path + "/dbusmock.log"
        let parameters = "{\"units_file\": \"\(fixtures)/systemd/mock-units.json\", \"main_pid\": \(mainProcess.pid)}"
        mock = try ChildProcess(
            ["/usr/bin/python3", "-m", "dbusmock", "--session", "--template", fixtures + "/dbusmock/systemd_units.py", "--parameters", parameters],
            environment: ["DBUS_SESSION_BUS_ADDRESS": bus.address], stdout: log)
    }

    /// Starts the bus and the mock, and waits until the mock owns its name.
    static func start() async throws -> SystemdMock {
        let mock = try SystemdMock()
        for _ in 0..<300 {
            let probe = try await runChecks(fileCheck("up", "{type: dbus, address: \"\(mock.address)\", name: org.freedesktop.systemd1}", "{owned: true}"))
            if probe.first?.status == .pass { return mock }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ToolError("dbusmock did not take org.freedesktop.systemd1; its log: \((try? String(contentsOfFile: mock.log, encoding: .utf8)) ?? "")")
    }

    var address: String { bus.address }
}

/// The expectations that must hold against the mock and against real systemd alike.
enum SystemdScenario {
    static let odd = #"doctor-odd@a_b:c\x2dd.service"#

    static func catalog(address: String) -> String {
        let probe = { (rest: String) in "{type: systemd-unit, address: \"\(address)\", \(rest)}" }
        return fileCheck("ok", probe("unit: doctor-ok.service, properties: [Id, RestartUSec]"), """
            {LoadState: loaded, ActiveState: active, SubState: running, MainPID: {gt: 0}, Type: simple, Restart: "no", \
            LimitMEMLOCK: 64M, LimitCORE: 0, MemoryMax: 256M, PrivateNetwork: false, NRestarts: 0, WatchdogUSec: 0s, \
            Id: doctor-ok.service, RestartUSec: 100000}
            """)
            + fileCheck("bad-as-failed", probe("unit: doctor-bad.service"), "{LoadState: loaded, ActiveState: failed, SubState: failed, MainPID: 0}")
            + fileCheck("bad-default", probe("unit: doctor-bad.service"))
            + fileCheck("watchdog", probe("unit: doctor-watchdog.service"), "{ActiveState: active, Type: notify, WatchdogUSec: 30s}")
            + fileCheck("restarts", probe("unit: doctor-restarts.service"), "{ActiveState: active, Restart: on-failure, NRestarts: {ge: 1, warn_if: {gt: 0}}}")
            + fileCheck("nope-as-missing", probe("unit: nope.service"), "{LoadState: not-found, ActiveState: inactive, SubState: dead}")
            + fileCheck("nope-default", probe("unit: nope.service"), "{LoadState: loaded, MainPID: {gt: 0}}")
            + fileCheck("odd", probe("unit: '\(odd)'"), "{LoadState: loaded, ActiveState: active}")
            + fileCheck("list-healthy", probe("units: [doctor-ok.service, doctor-watchdog.service, '\(odd)']"), "{ActiveState: active, SubState: running}")
            + fileCheck("list-with-bad", probe("units: [doctor-ok.service, doctor-bad.service, nope.service]"), "{ActiveState: active}")
            + fileCheck("unlimited", probe("unit: doctor-watchdog.service"), "{MemoryMax: {ne: infinity}}")
            + fileCheck("idle", probe("unit: doctor-idle.service"), "{LoadState: loaded, ActiveState: inactive, SubState: dead, MainPID: 0}")
            + fileCheck("idle-default", probe("unit: doctor-idle.service"))
    }

    static let statuses: [CheckStatus] = [.pass, .pass, .fail, .pass, .warn, .pass, .fail, .pass, .pass, .fail, .fail, .pass, .fail]

    static func verify(_ results: [CheckResult], against manager: String) {
        #expect(results.map(\.check.id) == ["ok", "bad-as-failed", "bad-default", "watchdog", "restarts", "nope-as-missing", "nope-default", "odd", "list-healthy", "list-with-bad", "unlimited", "idle", "idle-default"])
        #expect(results.map(\.status) == statuses, "\(manager): \(results.map { "\($0.check.id): \($0.status) \($0.message)" })")
        guard results.count == statuses.count else { return }
        #expect(results[2].message == #"doctor-bad.service: ActiveState is "failed", expected == "active""#, "\(manager)")
        #expect(results[4].message == "doctor-restarts.service: NRestarts is 1 (warn if > 0)", "\(manager)")
        // A missing unit is a LoadState, not a D-Bus error; what it cannot have is folded into one reason.
        #expect(results[6].message.hasPrefix(#"nope.service: LoadState is "not-found", expected == "loaded"; not found on the "#), "\(manager): \(results[6].message)")
        #expect(results[6].message.hasSuffix("(expected MainPID > 0)"), "\(manager): \(results[6].message)")
        #expect(results[9].message.contains(#"doctor-bad.service: ActiveState is "failed", expected == "active""#), "\(manager)")
        #expect(results[9].message.contains(#"nope.service: ActiveState is "inactive", expected == "active""#), "\(manager)")
        #expect(!results[9].message.contains("doctor-ok.service"), "\(manager)")
        #expect(results[10].message == "doctor-watchdog.service: MemoryMax is infinity, expected != infinity", "\(manager)")
        #expect(results[12].message == #"doctor-idle.service: ActiveState is "inactive", expected == "active""#, "\(manager)")
        #expect(results[8].observed.map(\.subject) == ["doctor-ok.service", "doctor-watchdog.service", odd], "\(manager)")
    }
}

@Suite(.serialized) struct SystemdUnitProbeTests {
    @Test func theMockManagerReadsAsSystemdWould() async throws {
        let mock = try await SystemdMock.start()
        let results = try await runChecks(SystemdScenario.catalog(address: mock.address))
        SystemdScenario.verify(results, against: "dbusmock")
        // The odd name was found at the path sd_bus_path_encode gives (real escaping), not through GetUnit.
        let log = try String(contentsOfFile: mock.log, encoding: .utf8)
        #expect(log.contains("GetAll /org/freedesktop/systemd1/unit/doctor_2dodd_40a_5fb_3ac_5cx2dd_2eservice org.freedesktop.systemd1.Unit"))
        #expect(!log.contains("GetUnit \"doctor-odd"))
        #expect(log.contains("GetUnit \"nope.service\""))
    }

    @Test func theUserManagerIsOnTheSessionBus() async throws {
        let mock = try await SystemdMock.start()
        let results = try await runChecks(
            fileCheck("user", "{type: systemd-unit, unit: doctor-ok.service}")
                + fileCheck("system", "{type: systemd-unit, manager: system, unit: doctor-ok.service}"),
            variables: ["DBUS_SESSION_BUS_ADDRESS": mock.address, "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/system_bus_socket"])
        withExtendedLifetime(mock) {}
        #expect(results.map(\.status) == [.pass, .error])
        #expect(results[1].message.contains("cannot connect to the system bus (unix:path=/nonexistent/system_bus_socket)"))
    }

    @Test func aProcessTakesItsPidFromAUnit() async throws {
        let mock = try await SystemdMock.start()
        let results = try await runChecks(
            fileCheck("main", "{type: process, pid_from: {unit: doctor-ok.service, address: \"\(mock.address)\"}}", "{running: true, name: sleep}")
                + fileCheck("no-main", "{type: process, pid_from: {unit: doctor-bad.service, address: \"\(mock.address)\"}}", "{running: true}")
                + fileCheck("no-unit", "{type: process, pid_from: {unit: nope.service, address: \"\(mock.address)\"}}", "{running: true}")
                + fileCheck("typo", "{type: process, pid_from: {unti: doctor-ok.service}}", "{running: true}"))
        #expect(results.map(\.status) == [.pass, .fail, .fail, .error])
        #expect(results[0].observed.first?.value("pid") == .int(Int64(mock.mainProcess.pid)))
        #expect(results[1].message == "unit doctor-bad.service has no main process (ActiveState failed) (expected running == true)")
        #expect(results[2].message == "unit nope.service not found on the user manager (expected running == true)")
        #expect(results[3].message.contains("unknown key 'unti' in pid_from (did you mean 'unit'?)"))
    }

    @Test func noBusFailsFast() async throws {
        let started = ContinuousClock.now
        let results = try await runChecks(fileCheck("none", "{type: systemd-unit, unit: x.service, address: \"unix:path=/nonexistent/bus\"}", extra: "timeout: 20s"))
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(results.map(\.status) == [.error])
        #expect(results[0].message.contains("cannot connect to the bus at unix:path=/nonexistent/bus"))
    }

    @Test func aManagerThatNeverRepliesIsAnErrorAtTheDeadline() async throws {
        // A real bus where a connection owns org.freedesktop.systemd1 and never reads its messages.
        let bus = try PrivateBus()
        let owner = try bus.own("org.freedesktop.systemd1")
        let started = ContinuousClock.now
        let results = try await runChecks(fileCheck("silent", "{type: systemd-unit, unit: x.service, address: \"\(bus.address)\"}", extra: "timeout: 600ms"))
        let elapsed = ContinuousClock.now - started
        _ = owner
        #expect(elapsed > .milliseconds(500) && elapsed < .seconds(10), "took \(elapsed)")
        #expect(results.map(\.status) == [.error])
        #expect(results[0].message.contains("did not answer before the deadline") || results[0].message.contains("timed out"), "\(results[0].message)")
    }

    @Test func unnamedPropertiesAreRejectedAtLoad() async throws {
        let fixture = TemporaryDirectory()
        fixture.write("checks.yaml", fileCheck("x", "{type: systemd-unit, unit: a.service, properties: [ProtectHome]}", "{ProtectSystem: strict}"), mode: 0o600)
        do {
            _ = try await CatalogLoader(registry: BuiltInProbes.registry).load(paths: [fixture.path + "/checks.yaml"])
            Issue.record("a check expecting on an unnamed property loaded")
        } catch {
            let text = error.issues.map(\.description).joined(separator: "\n")
            #expect(text.contains("unknown key 'ProtectSystem'"), "\(text)")
            #expect(text.contains("name it in the probe's 'properties'"), "\(text)")
            #expect(text.contains(":6:"), "\(text)")
        }
    }
}

