import DoctorCore
import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

/// weston 10, headless, on a private XDG_RUNTIME_DIR.
final class Weston: @unchecked Sendable {
    let directory = TemporaryDirectory(prefix: "doctor-weston")
    let runtime: String
    let process: ChildProcess
    let display = "wayland-doctor"
    var socket: String { runtime + "/" + display }

    init() throws {
        runtime = directory.path + "/run"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        process = try ChildProcess(
            ["/usr/bin/weston", "--backend=headless-backend.so", "--socket=\(display)", "--idle-time=0", "--no-config"],
            environment: ["XDG_RUNTIME_DIR": runtime], stdout: directory.path + "/weston.log")
        guard ChildProcess.waitFor(seconds: 15, { FileManager.default.fileExists(atPath: self.runtime + "/" + self.display) }) else {
            throw ToolError("weston did not start: \(directory.read("weston.log") ?? "")")
        }
    }

    var variables: [String: String] { ["XDG_RUNTIME_DIR": runtime, "WAYLAND_DISPLAY": display, "XDG_SESSION_TYPE": "wayland"] }

    /// What wayland-info (another client of the same compositor) lists: `name vVERSION`, in order.
    func waylandInfo() throws -> [String] {
        let out = directory.path + "/wayland-info.out"
        let info = try ChildProcess(["/usr/bin/wayland-info"], environment: variables, stdout: out)
        info.wait()
        let text = directory.read("wayland-info.out") ?? ""
        let pattern = #/^interface: '([^']+)',\s+version:\s+(\d+),/#
        return text.split(separator: "\n").compactMap { line in
            guard let match = line.firstMatch(of: pattern) else { return nil }
            return "\(match.1) v\(match.2)"
        }
    }
}

func waylandCheck(_ id: String, _ probe: String, _ expect: String? = nil, extra: String = "") -> String {
    fileCheck(id, "{type: wayland\(probe.isEmpty ? "" : ", " + probe)}", expect, extra: extra)
}

@Suite(.serialized) struct WaylandProbeTests {
    @Test func theGlobalsAreWhatWaylandInfoSees() async throws {
        let weston = try Weston()
        let results = try await runChecks(waylandCheck("globals", "", "{connected: true}"), variables: weston.variables)
        #expect(results.map(\.status) == [.pass], "\(results.map(\.message))")
        let observed = results.first?.observed.first?.value("globals")?.asList?.compactMap(\.asString) ?? []
        let reference = try weston.waylandInfo()
        #expect(!reference.isEmpty)
        #expect(observed == reference)
    }

    @Test func requiredAnyOfAndOptional() async throws {
        let weston = try Weston()
        let results = try await runChecks(
            waylandCheck("base", "require: {wl_compositor: 4, wl_shm: 1, xdg_wm_base: 1}")
                + waylandCheck("cosmic", "require: {wl_compositor: 4, zcosmic_toplevel_info_v1: 2}")
                + waylandCheck("too-old", "require: {wl_compositor: 6}")
                + waylandCheck("any-of", "require_any: [{ext_foreign_toplevel_list_v1: 1, zcosmic_toplevel_info_v1: 2}, {xdg_wm_base: 2}], optional: [wl_seat, wp_viewporter]",
                    "{missing: {empty: true}, any_of: xdg_wm_base, optional_present: [wp_viewporter], optional_missing: [wl_seat]}")
                + waylandCheck("none-of", "require_any: [{zcosmic_toplevel_info_v1: 2}, {zwlr_foreign_toplevel_manager_v1: 1}]"),
            variables: weston.variables)
        withExtendedLifetime(weston) {}
        #expect(results.map(\.status) == [.pass, .fail, .fail, .pass, .fail], "\(results.map(\.message))")
        #expect(results[1].message.contains(#"missing is ["zcosmic_toplevel_info_v1"]"#), "\(results[1].message)")
        #expect(results[2].message.contains(#"missing is ["wl_compositor v4 < 6"]"#), "\(results[2].message)")
        #expect(results[4].message.contains("one of: {zcosmic_toplevel_info_v1} or {zwlr_foreign_toplevel_manager_v1}"), "\(results[4].message)")
    }

    @Test func theSessionCheckLooksAtTheSocketsMode() async throws {
        let weston = try Weston()
        // As the shipped platform-wayland-session: others may not write (connect to) the socket.
        let session = "{connected: true, session_type: wayland, socket_mode: {within: \"0755\"}, socket_owner: \"${UID}\"}"
        chmod(weston.socket, 0o777)
        let open = try await runChecks(waylandCheck("open", "", session), variables: weston.variables.merging(["UID": String(geteuid())]) { $1 })
        chmod(weston.socket, 0o755)
        let closed = try await runChecks(waylandCheck("closed", "", session), variables: weston.variables.merging(["UID": String(geteuid())]) { $1 })
        withExtendedLifetime(weston) {}
        #expect(open.map(\.status) == [.fail] && closed.map(\.status) == [.pass], "\(open.map(\.message)) \(closed.map(\.message))")
        #expect(open.first?.message.contains("socket_mode is 0777, expected with no bits outside 0755") == true, "\(open.first?.message ?? "")")
    }

    @Test func noCompositorFailsFastAndNoSessionSkips() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-nowayland")
        let started = ContinuousClock.now
        let results = try await runChecks(
            waylandCheck("none", "", extra: "timeout: 10s")
                + waylandCheck("no-session", "", extra: "when: {env: WAYLAND_DISPLAY, reason: not a graphical session}"),
            variables: ["XDG_RUNTIME_DIR": directory.path, "WAYLAND_DISPLAY": ""])
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(results.map(\.status) == [.fail, .skip], "\(results.map(\.message))")
        #expect(results[0].message.contains("no Wayland compositor: \(directory.path)/wayland-0 does not exist"), "\(results[0].message)")
        #expect(results[1].message.contains("not a graphical session"), "\(results[1].message)")
    }

    @Test func aSocketThatNeverAnswersIsAnErrorAtTheDeadline() async throws {
        let silent = SilentSocket(name: "wayland-silent")
        let path = silent.path
        let started = ContinuousClock.now
        let results = try await runChecks(waylandCheck("silent", "socket: \"\(path)\"", extra: "timeout: 700ms"))
        withExtendedLifetime(silent) {}
        let elapsed = ContinuousClock.now - started
        #expect(results.map(\.status) == [.error], "\(results.map(\.message))")
        #expect(elapsed > .milliseconds(600) && elapsed < .seconds(10), "took \(elapsed)")
    }
}
