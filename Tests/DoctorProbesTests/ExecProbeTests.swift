import DoctorCore
import DoctorTestSupport
import Foundation
import Testing

@testable import DoctorProbes

/// The `exec` probe with real Monitoring Plugins (Debian monitoring-plugins-basic), a JSON plugin written for
/// the test, and programs that misbehave. The exec policy reaches the probe in the run's settings, as the
/// command line gives it. Serialized: the misbehaving programs keep cores busy, and the deadline tests time them.
@Suite(.serialized) struct ExecProbeTests {
    static let plugins = "/usr/lib/nagios/plugins"
    static let jsonPlugin = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path + "/Fixtures/exec/json_plugin.py"

    /// Runs `yaml` with exec checks allowed by `policy`.
    func runChecks(_ yaml: String, policy: ExecPolicy = ExecPolicy(allowed: true)) async throws -> [CheckResult] {
        try await DoctorProbesTests.runChecks(yaml, settings: ProbeSettings().with(policy))
    }

    func exec(_ id: String, _ probe: String, _ expect: String? = nil, timeout: String = "10s") -> String {
        fileCheck(id, probe, expect, extra: "timeout: \(timeout)")
    }

    /// Whether a process is gone (or a zombie nobody has reaped yet): not running.
    func notRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.contains(") Z ")
    }

    @Test func checkDummyGivesEveryState() async throws {
        let results = try await runChecks(
            exec("ok", "{type: exec, command: [check_dummy, \"0\", all is well]}")
                + exec("warning", "{type: exec, command: [check_dummy, \"1\", getting full]}")
                + exec("critical", "{type: exec, command: [check_dummy, \"2\", full]}")
                + exec("unknown", "{type: exec, command: [check_dummy, \"3\", cannot tell]}")
                + exec("critical-expected", "{type: exec, command: [check_dummy, \"2\", full]}", "{status: fail, exit_code: 2}"))
        #expect(results.map(\.status) == [.pass, .warn, .fail, .error, .pass], "\(results.map(\.message))")
        #expect(results[1].message == #"check_dummy: WARNING: getting full: status is "warn" (warn if == "warn")"#)
        #expect(results[2].message.hasPrefix(#"check_dummy: CRITICAL: full: status is "fail""#))
        #expect(results[3].message == "check_dummy: UNKNOWN: cannot tell")
    }

    @Test func performanceDataBecomesObservations() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-exec-age")
        let fresh = directory.write("fresh", "x"), old = directory.write("old", "x")
        var times = [timespec(tv_sec: time(nil) - 3 * 3600, tv_nsec: 0), timespec(tv_sec: time(nil) - 3 * 3600, tv_nsec: 0)]
        utimensat(AT_FDCWD, old, &times, 0)
        // A process only this test has, for check_procs to count.
        let marker = "doctor-exec-marker-\(UInt32.random(in: 0...UInt32.max))"
        let sleeper = try ChildProcess(["/usr/bin/python3", "-c", "import time; time.sleep(60)", marker])
        #expect(await ChildProcess.waitFor(seconds: 5) { ((try? String(contentsOfFile: "/proc/\(sleeper.pid)/cmdline", encoding: .utf8)) ?? "").contains(marker) })
        let results = try await runChecks(
            exec("fresh", "{type: exec, command: [check_file_age, -f, \"\(fresh)\", -w, \"3600\", -c, \"7200\"], observe: [perf.age]}", "{status: pass, perf.age: {lt: 60}}")
                + exec("old", "{type: exec, command: [check_file_age, -f, \"\(old)\", -w, \"3600\", -c, \"7200\"], observe: [perf.age]}", "{perf.age: {lt: 3600}}")
                + exec("procs", "{type: exec, command: [check_procs, -w, \"1:1\", -c, \"1:\", -a, \(marker)], observe: [perf.procs]}", "{status: pass, perf.procs: 1}")
                + exec("disk", "{type: exec, command: [check_disk, -w, \"0%\", -c, \"0%\", -p, /], observe: [perf./, perf./.unit]}", "{perf./: {gt: 0}, perf./.unit: {in: [B, MB, MiB]}}"))
        withExtendedLifetime(sleeper) {}
        #expect(results.map(\.status) == [.pass, .fail, .pass, .pass], "\(results.map(\.message))")
        #expect(results[1].message.contains("perf.age is 108"), "\(results[1].message)")
        let values = Dictionary(results[2].observed.first?.values.map { ($0.name, $0.value) } ?? [], uniquingKeysWith: { $1 })
        #expect(values["perf.procs"] == .int(1) && values["message"]?.asString?.hasPrefix("PROCS OK") == true, "\(values)")
    }

    @Test func perfdataParsing() {
        let parsed = ExecVerdict.perfdata("'disk used'=12.5GB;80;90;0;100 load1=0.50;; 'it''s'=3c bad novalue=U time=0.001s")
        #expect(parsed.map(\.0) == ["perf.disk used", "perf.disk used.unit", "perf.load1", "perf.load1.unit", "perf.it's", "perf.it's.unit", "perf.time", "perf.time.unit"])
        #expect(parsed.map(\.1) == [.double(12.5), .string("GB"), .double(0.5), .string(""), .int(3), .string("c"), .double(0.001), .string("s")])
    }

    @Test func theJSONProtocolFeedsExpectations() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-exec-json")
        let file = directory.write("backup", "x")
        var times = [timespec(tv_sec: time(nil) - 25 * 3600, tv_nsec: 0), timespec(tv_sec: time(nil) - 25 * 3600, tv_nsec: 0)]
        let old = directory.write("old-backup", "x")
        utimensat(AT_FDCWD, old, &times, 0)
        let plugin = ExecProbeTests.jsonPlugin
        func check(_ id: String, _ arguments: String, _ expect: String? = nil, extra: String = "") -> String {
            exec(id, "{type: exec, protocol: json, command: [\"\(plugin)\", \(arguments)], observe: [age_hours, environment, arguments, cwd]\(extra)}", expect)
        }
        let results = try await runChecks(
            check("fresh", "\"\(file)\"", "{status: pass, age_hours: {lt: 26, warn_if: {gt: 24}}}")
                + check("aging", "\"\(old)\"", "{age_hours: {lt: 26, warn_if: {gt: 24}}}")
                + check("missing", "\"\(directory.path)/none\"")
                + check("not-json", "x, --raw, \"DISK OK\"")
                + check("no-status", "x, --raw, \"{\\\"message\\\": \\\"hi\\\"}\"")
                + check("environment", "\"\(file)\", \"$(touch \(directory.path)/pwned)\"",
                        "{environment: [HOME, LC_ALL, PATH, PLUGIN_MODE], arguments: [\"\(file)\", \"$(touch \(directory.path)/pwned)\"], cwd: \(directory.path)}",
                        extra: ", env: {PLUGIN_MODE: strict}, pass_env: [HOME, DOCTOR_NOT_SET], cwd: \"\(directory.path)\""))
        #expect(results.map(\.status) == [.pass, .warn, .error, .error, .error, .pass], "\(results.map(\.message))")
        #expect(results[1].message.contains("age_hours is 25"), "\(results[1].message)")
        #expect(results[2].message.contains("none does not exist"))
        #expect(results[3].message.contains("not JSON"))
        #expect(results[4].message.contains("needs \"status\""))
        // Never through a shell: the argument arrived as written, and nothing ran it.
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/pwned"))
    }

    @Test func programsThatMisbehaveLeaveNothingRunning() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-exec-bad")
        let hang = directory.write("hang.sh", "#!/bin/sh\necho $$ > \(directory.path)/hang.pid\nsleep 30 &\necho $! > \(directory.path)/hang-child.pid\nwait\n", mode: 0o755)
        let grandchild = directory.write("grandchild.sh", "#!/bin/sh\nsleep 30 &\necho $! > \(directory.path)/grandchild.pid\necho 'OK - done'\nexit 0\n", mode: 0o755)
        let flood = directory.write("flood.sh", "#!/bin/sh\necho $$ > \(directory.path)/flood.pid\nexec yes doctor\n", mode: 0o755)
        let crash = directory.write("crash.sh", "#!/bin/sh\nkill -SEGV $$\n", mode: 0o755)
        let started = ContinuousClock.now
        let results = try await runChecks(
            exec("hang", "{type: exec, command: [\"\(hang)\"]}", timeout: "700ms")
                + exec("grandchild", "{type: exec, command: [\"\(grandchild)\"]}", timeout: "20s")
                + exec("flood", "{type: exec, command: [\"\(flood)\"]}", timeout: "20s")
                + exec("crash", "{type: exec, command: [\"\(crash)\"]}"))
        let elapsed = ContinuousClock.now - started
        #expect(results.map(\.status) == [.error, .pass, .error, .error], "\(results.map(\.message))")
        // The runner's timer and the probe's own deadline race; either way it is an error that says so.
        #expect(["timed out after 700ms", "hang.sh was still running at the deadline; its process group was killed"].contains(results[0].message))
        #expect(results[2].message == "flood.sh wrote more than 1048576 bytes on standard output; its process group was killed")
        #expect(results[3].message == "crash.sh was killed by SIGSEGV")
        // The grandchild holding the pipe did not hold the check: far less than its 30 s, or the 20 s timeout.
        #expect(elapsed < .seconds(5), "took \(elapsed)")
        for file in ["hang.pid", "hang-child.pid", "grandchild.pid", "flood.pid"] {
            let pid = Int32((directory.read(file) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            let gone = await ChildProcess.waitFor(seconds: 2) { notRunning(pid) }
            #expect(pid > 0 && gone, "\(file): \(pid) is still running")
        }
    }

    /// A program held open for writing cannot be executed (ETXTBSY). A moment's hold (an upgrade replacing it)
    /// is waited out; a program that stays busy is an error that names the cause.
    @Test func aProgramBusyForAMomentRunsAndOneThatStaysBusyIsAnError() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-exec-busy")
        let script = directory.write("busy.sh", "#!/bin/sh\necho 'OK - ran'\n", mode: 0o755)
        let held = open(script, O_WRONLY | O_CLOEXEC)
        #expect(held >= 0)
        let stays = try await runChecks(exec("stays-busy", "{type: exec, command: [\"\(script)\"]}"))
        #expect(stays.map(\.status) == [.error])
        #expect(stays.first?.message == "cannot run \(script): Text file busy")
        // Released from a thread of its own: a task would wait for the cooperative pool, which the whole suite
        // keeps busy on two cores, and could come after the probe's 150 ms of retries.
        let released = DispatchSemaphore(value: 0)
        let releaser = Thread {
            usleep(30_000)
            close(held)
            released.signal()
        }
        releaser.start()
        let moment = try await runChecks(exec("busy-a-moment", "{type: exec, command: [\"\(script)\"]}"))
        released.wait()
        #expect(moment.map(\.status) == [.pass], "\(moment.map(\.message))")
    }

    @Test func programsComeFromTrustedPlacesOnly() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-exec-trust")
        let loose = directory.write("loose.sh", "#!/bin/sh\necho OK\n", mode: 0o755)
        chmod(loose, 0o777)
        let results = try await runChecks(
            exec("not-in-plugins", "{type: exec, command: [json_plugin.py]}")
                + exec("relative", "{type: exec, command: [./check_dummy, \"0\"]}")
                + exec("world-writable", "{type: exec, command: [\"\(loose)\"]}")
                + exec("missing", "{type: exec, command: [/nonexistent/check]}"))
        #expect(results.map(\.status) == [.error, .error, .error, .error], "\(results.map(\.message))")
        #expect(results[0].message.contains("'json_plugin.py' is in no plugin directory"))
        #expect(results[2].message.contains("is writable by anyone (mode 777): `chmod go-w \(loose)`"))
        // A configured plugin directory is searched, $PATH never.
        let inPluginDirectory = ExecPolicy(allowed: true, pluginDirectories: [(ExecProbeTests.jsonPlugin as NSString).deletingLastPathComponent])
        let found = try await runChecks(
            exec("in-plugin-dir", "{type: exec, protocol: json, command: [json_plugin.py, /]}", "{exit_code: 0}")
                + exec("path-not-searched", "{type: exec, command: [sh, -c, \"echo OK\"]}"), policy: inPluginDirectory)
        #expect(found.map(\.status) == [.pass, .error], "\(found.map(\.message))")
    }

    @Test func execChecksAreSkippedUnlessAllowed() async throws {
        let results = try await runChecks(exec("off", "{type: exec, command: [check_dummy, \"2\", would fail]}"), policy: ExecPolicy(allowed: false))
        #expect(results.map(\.status) == [.skip])
        #expect(results[0].message.contains("exec checks are off: run with --allow-exec"))
    }
}
