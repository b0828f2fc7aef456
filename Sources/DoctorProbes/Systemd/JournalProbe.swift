import CSystemd
public import DoctorCore
import Foundation

/// Counts recent journal entries that match fields (libsystemd's sd-journal, reading the journal files directly).
public struct JournalProbe: Probe {
    enum Parameter {
        static let userUnit = ParameterKey.string("user_unit", "A user service whose entries to count, e.g. `open-sesame-profile.service`.")
        static let unit = ParameterKey.string("unit", "A system service whose entries to count.")
        static let fields = ParameterKey.map("fields", of: .oneOrMany(.string), "Journal fields and the values to match, e.g. `{EVENT_TYPE: handshake-failed}`.")
        static let messageContains = ParameterKey.oneOrManyStrings("message_contains", "Count only entries whose MESSAGE contains one of these strings.")
        static let messageExcludes = ParameterKey.oneOrManyStrings("message_excludes", "Do not count entries whose MESSAGE contains any of these strings.")
        static let since = ParameterKey.duration("since", default: "1h", "How far back to count.")
        static let scope = ParameterKey.enumeration("scope", ["user", "system", "all"], default: "user", "Which journal files to read.")
        static let directory = ParameterKey.string("directory", "Read the journal files of this directory instead.")
        static let maxEntries = ParameterKey.integer("max_entries", default: 100000, "Stop counting after this many matches.")
    }

    enum Observed {
        static let count = ObservationKey("count", .integer, "Matching entries in the window.")
        static let lastMessage = ObservationKey("last_message", .string, "The newest matching entry's MESSAGE (at most 200 characters).")
        static let lastAge = ObservationKey("last_age", .duration, "How long ago the newest matching entry was logged.")
    }

    public static let spec = ProbeSpec(
        type: "journal",
        summary: "Recent journal entries matching fields are counted: failed handshakes, degraded secure memory.",
        discussion: """
            Opens the journal with libsystemd's sd-journal, as `journalctl` does, and counts the entries of the \
            last `since` that match: `user_unit` (a user service: `_SYSTEMD_USER_UNIT` and this user's `_UID`, \
            as `journalctl --user -u`), `unit` (a system service: `_SYSTEMD_UNIT`), and `fields`, each field one \
            value or a list of values (any of them). Values of one field are alternatives; different fields must \
            all match. `message_contains` keeps only entries whose MESSAGE contains one of the strings, and \
            `message_excludes` drops those that contain any of its strings: a daemon that logs structured JSON \
            on standard output (Open Sesame's daemons do) reaches the journal as MESSAGE text only, so its \
            event fields can be matched no other way.

            `scope` picks the journal files: `user` (this user's and the system's, local only: what `journalctl \
            --user` reads), `system`, or `all`; `directory` reads the journal files of a directory instead (a \
            journal copied off a host, or `/var/log/journal/<machine-id>`). A host where no journal entries can \
            be read at all (no journald, or a user outside the `systemd-journal` group with no journal of \
            their own) is not applicable: the check is skipped with the reason, not passed on an empty count.

            `last_message` is the newest matching entry's MESSAGE, cut at 200 characters with control \
            characters replaced; the rest of the entry is never reported. Counting stops at `max_entries` and \
            honours the check's deadline.
            """,
        parameters: [
            Parameter.userUnit, Parameter.unit, Parameter.fields, Parameter.messageContains, Parameter.messageExcludes,
            Parameter.since, Parameter.scope, Parameter.directory, Parameter.maxEntries,
        ],
        observations: [Observed.count, Observed.lastMessage, Observed.lastAge],
        defaultExpect: "{count: 0}",
        examples: [
            ProbeExample("No failed handshakes in the last hour", """
                id: ipc-auth-failures-recent
                title: No failed bus handshakes in the last hour
                category: ipc-connectivity
                severity: medium
                probe:
                  type: journal
                  user_unit: open-sesame-profile.service
                  message_contains: ['"event_type":"handshake-failed"']
                  since: 1h
                expect: {count: {warn_if: {gt: 0}}}
                """,
                .skip(containing: "no journal entries are readable here", where: "a machine without a journal this user can read, as the build machine"),
                .pass(where: "a machine with a journal this user can read")),
        ])

    let matches: [(field: String, values: [String])]
    let since: Double
    let flags: Int32
    let directory: String?
    let maximum: Int64
    let contains: [[UInt8]]
    let excludes: [[UInt8]]

    public init(parameters: Parameters) throws(ProbeError) {
        var matches: [(field: String, values: [String])] = []
        if let unit = parameters[Parameter.userUnit] {
            matches.append(("_SYSTEMD_USER_UNIT", [unit]))
            matches.append(("_UID", [String(getuid())]))
        }
        if let unit = parameters[Parameter.unit] { matches.append(("_SYSTEMD_UNIT", [unit])) }
        for (field, given) in parameters[Parameter.fields] ?? [] {
            let values = given.asList?.compactMap(\.asString) ?? given.asString.map { [$0] } ?? []
            guard JournalProbe.isFieldName(field) else {
                throw ProbeError("'\(field)' is not a journal field name (upper-case letters, digits and '_', not starting with a digit)")
            }
            if values.isEmpty { throw ProbeError("fields.\(field) lists no values") }
            matches.append((field, values))
        }
        func strings(_ key: ParameterKey<[String]?>) throws(ProbeError) -> [[UInt8]] {
            let list = parameters[key] ?? []
            if list.contains(where: \.isEmpty) { throw ProbeError("\(key.name) holds an empty string, which every message contains") }
            return list.map { Array($0.utf8) }
        }
        contains = try strings(Parameter.messageContains)
        excludes = try strings(Parameter.messageExcludes)
        guard !matches.isEmpty else { throw ProbeError("give at least one of 'user_unit', 'unit' or 'fields': counting every entry is not a check") }
        self.matches = matches
        since = parameters[Parameter.since]
        switch parameters[Parameter.scope] {
        case "system": flags = Int32(SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM)
        case "all": flags = Int32(SD_JOURNAL_LOCAL_ONLY)
        default: flags = Int32(SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_CURRENT_USER | SD_JOURNAL_SYSTEM)
        }
        directory = parameters[Parameter.directory]
        maximum = max(1, parameters[Parameter.maxEntries])
    }

    static func isFieldName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(48...57).contains(first), name.utf8.count <= 64 else { return false }
        return name.utf8.allSatisfy { (65...90).contains($0) || (48...57).contains($0) || $0 == 95 }
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        var journal: OpaquePointer?
        let opened = directory.map { sd_journal_open_directory(&journal, $0, 0) } ?? sd_journal_open(&journal, flags)
        guard opened >= 0, let journal else {
            throw ProbeError("cannot open the journal\(directory.map { " in \($0)" } ?? ""): \(String(cString: strerror(-opened)))")
        }
        defer { sd_journal_close(journal) }

        var oldest: UInt64 = 0, newest: UInt64 = 0
        if sd_journal_get_cutoff_realtime_usec(journal, &oldest, &newest) <= 0 {
            let source = directory.map { "no journal entries in \($0)" }
                ?? "no journal entries are readable here (no journald, or uid \(getuid()) may not read the journal: add it to the systemd-journal group)"
            return ProbeOutput(observations: [], skipReason: source)
        }
        for (index, match) in matches.enumerated() {
            if index > 0 { sd_journal_add_conjunction(journal) }
            for value in match.values {
                let entry = Array("\(match.field)=\(value)".utf8)
                let rc = entry.withUnsafeBytes { sd_journal_add_match(journal, $0.baseAddress, $0.count) }
                if rc < 0 { throw ProbeError("the match \(match.field)=\(value): \(String(cString: strerror(-rc)))") }
            }
        }
        let now = Date().timeIntervalSince1970
        let start = UInt64(max(0, (now - since) * 1_000_000))
        let seek = sd_journal_seek_realtime_usec(journal, start)
        if seek < 0 { throw ProbeError("seeking the journal: \(String(cString: strerror(-seek)))") }

        var count: Int64 = 0
        var lastTime: UInt64 = 0
        var lastMessage: String?
        while count < maximum {
            let step = sd_journal_next(journal)
            if step < 0 { throw ProbeError("reading the journal: \(String(cString: strerror(-step)))") }
            if step == 0 { break }
            var time: UInt64 = 0
            guard sd_journal_get_realtime_usec(journal, &time) >= 0, time >= start else { continue }
            if !(contains.isEmpty && excludes.isEmpty) {
                let message = JournalProbe.rawMessage(journal)
                if !contains.isEmpty, !contains.contains(where: { JournalProbe.find($0, in: message) }) { continue }
                if excludes.contains(where: { JournalProbe.find($0, in: message) }) { continue }
            }
            count += 1
            if time >= lastTime {
                lastTime = time
                lastMessage = JournalProbe.message(journal)
            }
            if count & 1023 == 0 {
                if Task.isCancelled { throw ProbeError("cancelled") }
                if ContinuousClock.now >= context.deadline { throw ProbeError("the deadline passed after counting \(count) entries") }
            }
        }
        var values: ObservedValues = [Observed.count: .int(count)]
        if let lastMessage { values[Observed.lastMessage] = .string(lastMessage) }
        if count > 0 { values[Observed.lastAge] = .double(max(0, now - Double(lastTime) / 1_000_000)) }
        return .single(values)
    }

    /// The current entry's whole MESSAGE bytes (up to sd-journal's data threshold, 64 KiB by default).
    static func rawMessage(_ journal: OpaquePointer) -> UnsafeRawBufferPointer {
        var data: UnsafeRawPointer?
        var length = 0
        guard sd_journal_get_data(journal, "MESSAGE", &data, &length) >= 0, let data, length > 8 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: data + 8, count: length - 8)
    }

    /// Whether `needle` occurs in `haystack` (bytes; a plain scan, messages are short).
    static func find(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return false }
        var index = 0
        while index + needle.count <= haystack.count {
            if haystack[index] == first {
                var offset = 1
                while offset < needle.count, haystack[index + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            index += 1
        }
        return false
    }

    /// The current entry's MESSAGE, cut at 200 characters, control characters shown as U+FFFD.
    static func message(_ journal: OpaquePointer) -> String? {
        var data: UnsafeRawPointer?
        var length = 0
        guard sd_journal_get_data(journal, "MESSAGE", &data, &length) >= 0, let data, length > 8 else { return nil }
        let bytes = UnsafeRawBufferPointer(start: data + 8, count: min(length - 8, 800))
        let text = String(decoding: bytes, as: UTF8.self)
        let cleaned = String(text.unicodeScalars.prefix(200).map { $0.value < 0x20 || $0.value == 0x7F ? "\u{FFFD}" : Character($0) })
        return cleaned
    }
}
