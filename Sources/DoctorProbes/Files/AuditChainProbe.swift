public import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// Open Sesame's tamper-evident audit log (`audit.jsonl`): each line a JSON object whose `sequence` is one more
/// than the line before and whose `prev_hash` is the BLAKE3 of the line before, verified in one streaming pass.
public struct AuditChainProbe: Probe {
    enum Parameter {
        static let path = ParameterKey.string("path", required: true, "The log, e.g. `${HOME}/.config/pds/audit.jsonl`.")
        static let maxLine = ParameterKey.byteSize("max_line", default: "1M", "The longest line accepted.")
    }

    enum Observed {
        static let exists = ObservationKey("exists", .bool, "The log exists.")
        static let intact = ObservationKey("intact", .bool, "Every line verified.")
        static let entries = ObservationKey("entries", .integer, "Lines verified (before the first broken one).")
        static let firstBrokenLine = ObservationKey("first_broken_line", .integer, "The first line that does not verify (0: none).")
        static let brokenReason = ObservationKey("broken_reason", .string, "Why that line does not verify.")
        static let firstSequence = ObservationKey("first_sequence", .integer, "The sequence of the first line.")
        static let lastSequence = ObservationKey("last_sequence", .integer, "The sequence of the last verified line.")
    }

    public static let spec = ProbeSpec(
        type: "audit-chain",
        summary: "A hash-chained JSON-lines audit log verifies from its first line to its last.",
        discussion: """
            Reads the log once, in 1 MiB pieces (constant memory, whatever its size), and checks every line: it \
            is a JSON object (validated in full: syntax, UTF-8, nesting), its `sequence` is a non-negative \
            integer one more than the previous line's (the first line may start a segment at any sequence), and \
            its `prev_hash` is the lowercase hex BLAKE3 of the previous line's exact bytes (without its newline, and \
            without a CR before it); the first line's is empty. A line of only whitespace is skipped, as Open \
            Sesame's own verifier skips it (`core-profile/src/audit.rs:120-123`). Verification stops at the first broken line: `first_broken_line` and \
            `broken_reason` say where and why, `entries` how many lines verified before it.

            A line longer than `max_line` is reported as broken without being held in memory. The log is never \
            followed through a symlink and never opened if it is not a regular file.
            """,
        parameters: [Parameter.path, Parameter.maxLine],
        observations: [
            Observed.exists, Observed.intact, Observed.entries, Observed.firstBrokenLine, Observed.brokenReason,
            Observed.firstSequence, Observed.lastSequence,
        ],
        defaultExpect: "{intact: true}",
        examples: [
            ProbeExample("The audit chain is intact", """
                id: crypto-audit-chain-intact
                title: The audit log's hash chain verifies
                category: crypto-posture
                severity: critical
                timeout: 60s
                probe: {type: audit-chain, path: "${HOME}/.config/pds/audit.jsonl"}
                expect: {intact: true, entries: {gt: 0}}
                remediation: Preserve the log for investigation (a broken chain means lines were altered, removed or reordered), then run sesame audit verify.
                """,
                .pass(),
                .fail(on: .broken, "line 121: prev_hash is not the BLAKE3 of line 120 (a line was altered, removed or reordered) (expected intact == true)"),
                .fail(on: .preInit, "${HOME}/.config/pds/audit.jsonl: entries is 0, expected > 0")),
        ])

    let path: String
    let maxLine: Int

    public init(parameters: Parameters) throws(ProbeError) {
        guard let path = parameters[Parameter.path], !path.isEmpty else { throw ProbeError("'path' is empty") }
        self.path = path
        let limit = parameters[Parameter.maxLine]
        guard limit >= 64, limit <= 1 << 30 else { throw ProbeError("'max_line' must be between 64 bytes and 1 GiB") }
        maxLine = Int(limit)
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { return ProbeOutput(observations: [Observation(subject: path, values: [Observed.exists: .bool(false)], missingReason: "\(path) does not exist")]) }
            if code == ELOOP { return ProbeOutput(observations: [Observation(subject: path, values: [Observed.exists: .bool(true)], missingReason: "\(path) is a symlink; not followed")]) }
            throw ProbeError("cannot open \(path): \(FileBytes.errnoText(code))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            return ProbeOutput(observations: [Observation(subject: path, values: [Observed.exists: .bool(true)], missingReason: "\(path) is not a regular file; not read")])
        }
        var verifier = AuditChainVerifier(maxLine: maxLine)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var pieces = 0
        while !verifier.isDone {
            pieces += 1
            if pieces & 15 == 0 {
                if Task.isCancelled { throw ProbeError("cancelled") }
                if context.isExpired { throw ProbeError("verifying \(path) did not finish before the deadline (\(verifier.entries) lines verified)") }
            }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ProbeError("cannot read \(path): \(FileBytes.errnoText(errno))")
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { verifier.feed(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        verifier.finish()
        var values: ObservedValues = [
            Observed.exists: .bool(true), Observed.intact: .bool(verifier.broken == nil), Observed.entries: .int(Int64(verifier.entries)),
            Observed.firstBrokenLine: .int(Int64(verifier.broken?.line ?? 0)),
        ]
        if let broken = verifier.broken { values[Observed.brokenReason] = .string(broken.reason) }
        if let first = verifier.firstSequence { values[Observed.firstSequence] = .int(Int64(clamping: first)) }
        if let last = verifier.lastSequence { values[Observed.lastSequence] = .int(Int64(clamping: last)) }
        let reason = verifier.broken.map { "line \($0.line): \($0.reason)" }
        return ProbeOutput(observations: [Observation(subject: path, values: values, missingReason: reason)])
    }
}
