import DoctorTestSupport
import Foundation
import Testing

/// The shipped `doctor.service` under Debian's real systemd (booted in systemd-nspawn by `scripts/test`): the
/// manager sees READY=1 (the unit becomes active only then), STATUS= lines, watchdog pings that keep a 2 s
/// WatchdogSec satisfied, and a clean stop on SIGTERM. Installed as a system unit there (the container has no
/// user session); a drop-in only points ExecStart at the built binary and shortens the watchdog.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["DOCTOR_SYSTEMD_ADDRESS"] != nil, "real systemd tier: set DOCTOR_SYSTEMD_ADDRESS (scripts/test boots systemd in nspawn)"))
struct ServeSystemdTests {
    let address = ProcessInfo.processInfo.environment["DOCTOR_SYSTEMD_ADDRESS"] ?? ""

    /// `/proc/PID/root` of the container, from the bus address `unix:path=/proc/PID/root/run/dbus/...`.
    var root: String {
        let path = address.replacingOccurrences(of: "unix:path=", with: "")
        return path.components(separatedBy: "/run/dbus/").first ?? path
    }

    func busctl(_ arguments: [String]) throws -> Completed {
        try run(try tool("busctl"), ["--address=\(address)"] + arguments)
    }

    func property(_ interface: String, _ name: String) throws -> String {
        let answer = try busctl(["get-property", "org.freedesktop.systemd1", "/org/freedesktop/systemd1/unit/doctor_2eservice", "org.freedesktop.systemd1.\(interface)", name])
        // "s \"active\"" or "t 123"
        return answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", maxSplits: 1).last.map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } ?? ""
    }

    func manager(_ method: String, _ signature: String = "", _ arguments: [String] = []) throws -> Completed {
        try busctl(["call", "org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", method] + (signature.isEmpty ? [] : [signature] + arguments))
    }

    @Test func theShippedUnitRunsAsANotifyServiceWithItsWatchdog() async throws {
        // The binary and every library the container lacks, under /opt/doctor.
        let doctor = try executable("doctor")
        let fileManager = FileManager.default
        try? fileManager.removeItem(atPath: root + "/opt/doctor")
        try fileManager.createDirectory(atPath: root + "/opt/doctor/lib", withIntermediateDirectories: true)
        try fileManager.createDirectory(atPath: root + "/opt/doctor/checks", withIntermediateDirectories: true)
        // Copied by cp, not in this process: a descriptor open for writing here could leak into a child another
        // test spawns at that moment, and systemd's exec would then fail with ETXTBSY ("Text file busy").
        #expect(try run("/bin/cp", [doctor, root + "/opt/doctor/doctor"]).status == 0)
        let ldd = try run("/usr/bin/ldd", [doctor])
        for line in ldd.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count >= 3, parts[1] == "=>" else { continue }
            let library = String(parts[2])
            if !fileManager.fileExists(atPath: root + library) {
                // The file itself, under its soname (the host's path is often a relative symlink).
                let file = URL(fileURLWithPath: library).resolvingSymlinksInPath().path
                try fileManager.copyItem(atPath: file, toPath: root + "/opt/doctor/lib/" + (library as NSString).lastPathComponent)
            }
        }
        try """
            - id: unit-env
              title: PATH is set in the unit
              category: configuration
              severity: low
              probe: {type: env, name: PATH}
              expect: {set: true}
            """.write(toFile: root + "/opt/doctor/checks/unit.yaml", atomically: true, encoding: .utf8)
        // The shipped unit, unchanged, and a drop-in.
        try fileManager.createDirectory(atPath: root + "/etc/systemd/system/doctor.service.d", withIntermediateDirectories: true)
        try? fileManager.removeItem(atPath: root + "/etc/systemd/system/doctor.service")
        try fileManager.copyItem(atPath: repoRoot + "/contrib/systemd/doctor.service", toPath: root + "/etc/systemd/system/doctor.service")
        try """
            [Service]
            ExecStart=
            ExecStart=/opt/doctor/doctor serve --catalog /opt/doctor/checks --interval 60s
            Environment=LD_LIBRARY_PATH=/opt/doctor/lib XDG_RUNTIME_DIR=/run
            WatchdogSec=2s
            """.write(toFile: root + "/etc/systemd/system/doctor.service.d/test.conf", atomically: true, encoding: .utf8)
        defer {
            _ = try? manager("StopUnit", "ss", ["doctor.service", "replace"])
            try? fileManager.removeItem(atPath: root + "/etc/systemd/system/doctor.service")
            try? fileManager.removeItem(atPath: root + "/etc/systemd/system/doctor.service.d")
            try? fileManager.removeItem(atPath: root + "/opt/doctor")
            _ = try? manager("Reload")
        }
        #expect(try manager("Reload").status == 0)
        let start = try manager("StartUnit", "ss", ["doctor.service", "replace"])
        #expect(start.status == 0, "\(start.stderr)")

        // Type=notify: active only once doctor said READY=1, after its first run.
        #expect(await ChildProcess.waitFor(seconds: 30) { (try? property("Unit", "ActiveState")) == "active" },
                "ActiveState \((try? property("Unit", "ActiveState")) ?? "?"), Result \((try? property("Service", "Result")) ?? "?")")
        #expect(try property("Service", "StatusText") == "run 1: 1 pass, 0 warn, 0 fail, 0 error, 0 skip")
        #expect(try property("Service", "WatchdogUSec") == "2000000")

        // Three watchdog periods later: still the same process, never restarted, pings arriving.
        let pid = try property("Service", "MainPID")
        let firstPing = UInt64(try property("Service", "WatchdogTimestampMonotonic")) ?? 0
        try await Task.sleep(for: .seconds(6))
        #expect(try property("Unit", "ActiveState") == "active")
        #expect(try property("Service", "NRestarts") == "0")
        #expect(try property("Service", "MainPID") == pid)
        #expect((UInt64(try property("Service", "WatchdogTimestampMonotonic")) ?? 0) > firstPing, "the watchdog was pinged")

        // The socket, in the unit's RuntimeDirectory, answers.
        let socket = root + "/run/pds/doctor.sock"
        let health = try run(try tool("curl"), ["-s", "--max-time", "10", "--unix-socket", socket, "http://doctor/health"])
        #expect(health.stdout.contains("\"status\": \"ok\""), "\(health.stdout)\(health.stderr)")

        // Stop: SIGTERM, drain, exit 0, the unit inactive (not failed), the socket gone, the directory kept.
        #expect(try manager("StopUnit", "ss", ["doctor.service", "replace"]).status == 0)
        #expect(await ChildProcess.waitFor(seconds: 20) { (try? property("Unit", "ActiveState")) == "inactive" })
        #expect(try property("Service", "Result") == "success")
        #expect(try property("Service", "ExecMainStatus") == "0")
        #expect(!fileManager.fileExists(atPath: socket))
        #expect(fileManager.fileExists(atPath: root + "/run/pds"), "RuntimeDirectoryPreserve keeps the shared directory")
    }
}
