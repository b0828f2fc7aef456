import DoctorCore
import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

/// The journal probe against real journal files: systemd's own `systemd-journal-remote` writes them from the
/// journal export format (Debian: systemd-journal-remote), and the probe reads them through sd-journal.
@Suite struct JournalProbeTests {
    static let remote = "/lib/systemd/systemd-journal-remote"

    /// One entry in the export format; a value with control characters takes the binary field form.
    static func entry(_ fields: [(String, String)], ago seconds: Double, boot: String) -> [UInt8] {
        let time = UInt64((Date().timeIntervalSince1970 - seconds) * 1_000_000)
        var out = Array("__REALTIME_TIMESTAMP=\(time)\n__MONOTONIC_TIMESTAMP=\(time % 1_000_000_000)\n_BOOT_ID=\(boot)\n".utf8)
        for (name, value) in fields {
            let bytes = Array(value.utf8)
            if bytes.contains(where: { $0 < 0x20 }) {
                out += Array(name.utf8) + [0x0A]
                withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { out += $0 }
                out += bytes + [0x0A]
            } else {
                out += Array("\(name)=\(value)\n".utf8)
            }
        }
        return out + [0x0A]
    }

    /// A journal directory holding the entries, written by systemd-journal-remote.
    static func journal(_ directory: TemporaryDirectory) throws -> String {
        let uid = String(getuid()), boot = "8f42f0593ba24ad99effdf41bcbf1c9e"
        let unit = ("_SYSTEMD_USER_UNIT", "open-sesame-profile.service")
        var export: [UInt8] = []
        export += entry([unit, ("_UID", uid), ("EVENT_TYPE", "handshake-failed"), ("MESSAGE", "an old failure")], ago: 7200, boot: boot)
        export += entry([unit, ("_UID", uid), ("EVENT_TYPE", "handshake-failed"), ("MESSAGE", "handshake failed peer_pid=4242\u{07}\nsecond line")], ago: 60, boot: boot)
        export += entry([unit, ("_UID", uid), ("EVENT_TYPE", "handshake-success"), ("MESSAGE", "fine")], ago: 55, boot: boot)
        export += entry([("_SYSTEMD_USER_UNIT", "other.service"), ("_UID", uid), ("EVENT_TYPE", "handshake-failed"), ("MESSAGE", "elsewhere")], ago: 50, boot: boot)
        export += entry([unit, ("_UID", "4321"), ("EVENT_TYPE", "handshake-failed"), ("MESSAGE", "another user")], ago: 45, boot: boot)
        export += entry([unit, ("_UID", uid), ("EVENT_TYPE", "uid-mismatch"), ("MESSAGE", "peer uid 4321 rejected")], ago: 40, boot: boot)
        // daemon-profile's lines as they reach the journal: tracing-subscriber JSON on stdout, the event's fields
        // nested under "fields", the whole object in MESSAGE (daemon-profile/src/sandbox.rs:292-303).
        export += entry([unit, ("_UID", uid), ("MESSAGE", #"{"timestamp":"2026-12-02T10:00:00Z","level":"ERROR","fields":{"message":"noise handshake failed","audit":"connection-lifecycle","event_type":"handshake-failed","peer_pid":4242,"error":"Noise error: decrypt"},"target":"core_ipc::server"}"#)], ago: 35, boot: boot)
        export += entry([unit, ("_UID", uid), ("MESSAGE", #"{"level":"ERROR","fields":{"event_type":"handshake-failed","peer_pid":77,"error":"IO error: early eof"},"target":"core_ipc::server"}"#)], ago: 30, boot: boot)
        export += entry([unit, ("_UID", uid), ("MESSAGE", #"{"level":"WARN","fields":{"message":"rejecting connection: UID mismatch","peer_uid":4321},"target":"core_ipc::server"}"#)], ago: 25, boot: boot)
        let exportPath = directory.path + "/entries.export"
        _ = FileManager.default.createFile(atPath: exportPath, contents: Data(export))
        let output = directory.path + "/journal"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let child = try ChildProcess([remote, "--output=\(output)/remote.journal", exportPath])
        let status = child.wait()
        guard status == 0 else { throw ToolError("systemd-journal-remote exited with \(status)") }
        return output
    }

    func check(_ id: String, _ probe: String, _ expect: String = "{count: {warn_if: {gt: 0}}}") -> String {
        fileCheck(id, "{type: journal, \(probe)}", expect)
    }

    @Test func recentMatchingEntriesAreCounted() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-journal")
        let journal = try JournalProbeTests.journal(directory)
        let empty = directory.path + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let unit = "user_unit: open-sesame-profile.service, directory: \"\(journal)\""
        let results = try await runChecks(
            check("failed", "\(unit), fields: {EVENT_TYPE: handshake-failed}, since: 1h")
                + check("either", "\(unit), fields: {EVENT_TYPE: [handshake-failed, uid-mismatch]}, since: 1h", "{count: 2}")
                + check("day", "\(unit), fields: {EVENT_TYPE: handshake-failed}, since: 1d", "{count: 2}")
                + check("window", "\(unit), fields: {EVENT_TYPE: handshake-failed}, since: 30s")
                + check("no-journal", "user_unit: open-sesame-profile.service, directory: \"\(empty)\"")
                + check("bad-field", "fields: {event-type: x}, directory: \"${DOCTOR_TEST_JOURNAL}\""), variables: ["DOCTOR_TEST_JOURNAL": journal])
        #expect(results.map(\.status) == [.warn, .pass, .pass, .pass, .skip, .error], "\(results.map(\.message))")
        #expect(results[0].message == "count is 1 (warn if > 0)", "\(results[0].message)")
        // The newest match's message, its control characters replaced; nothing else of the entry.
        let observed = results[0].observed.first?.values ?? []
        #expect(observed.first { $0.name == "last_message" }?.value == .string("handshake failed peer_pid=4242\u{FFFD}\u{FFFD}second line"))
        let age = observed.first { $0.name == "last_age" }?.value.asDouble ?? 0
        #expect(age >= 59 && age < 600, "\(age)")
        #expect(results[4].message.contains("no journal entries in \(empty)"), "\(results[4].message)")
        #expect(results[5].message.contains("'event-type' is not a journal field name"), "\(results[5].message)")
        // What the probe refuses is a catalog error when nothing waits for a variable.
        let everything = await loadError(check("everything", "directory: \"\(journal)\""))
        #expect(everything?.contains("checks.yaml:5:10: error: [everything] probe 'journal': give at least one of") == true, "\(everything ?? "loaded")")
        #expect(everything?.contains("counting every entry is not a check") == true)
    }

    /// JSON on standard output reaches the journal as MESSAGE text: matched by substring, with exclusions.
    @Test func messageSubstringsSelectAndExcludeEntries() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-journal-message")
        let journal = try JournalProbeTests.journal(directory)
        let unit = "user_unit: open-sesame-profile.service, directory: \"\(journal)\", since: 1h"
        let results = try await runChecks(
            check("json", "\(unit), message_contains: '\"event_type\":\"handshake-failed\"'", "{count: 2}")
                + check("json-no-eof", "\(unit), message_contains: '\"event_type\":\"handshake-failed\"', message_excludes: early eof", "{count: 1}")
                + check("either", "\(unit), message_contains: ['\"event_type\":\"handshake-failed\"', 'rejecting connection: UID mismatch'], message_excludes: [early eof]", "{count: 2}"))
        #expect(results.map(\.status) == [.pass, .pass, .pass], "\(results.map(\.message))")
        let empty = await loadError(check("empty", "\(unit), message_contains: ''"))
        #expect(empty?.contains("message_contains holds an empty string") == true, "\(empty ?? "loaded")")
    }
}
