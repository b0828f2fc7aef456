import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// The chain rules, fed the log in pieces of any size.
struct AuditChainVerifier {
    let maxLine: Int
    private(set) var entries = 0
    private(set) var broken: (line: Int, reason: String)?
    private(set) var firstSequence: UInt64?
    private(set) var lastSequence: UInt64?
    private var previousHash = ""
    private var previousLine = 0
    private var physicalLine = 0
    private var pending: [UInt8] = []
    private static let wanted = [Array("sequence".utf8), Array("prev_hash".utf8)]

    init(maxLine: Int) {
        self.maxLine = maxLine
    }

    var isDone: Bool { broken != nil }
    /// The line being read (counting the blank lines skipped).
    private var lineNumber: Int { physicalLine + 1 }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        var start = 0
        while start < bytes.count, broken == nil {
            guard let newline = bytes[start...].firstIndex(of: 0x0a) else {
                if pending.count + (bytes.count - start) > maxLine {
                    // No need to read the rest of an overlong line: the chain is broken here.
                    pending = []
                    breakAt("longer than \(ByteSize.format(Int64(maxLine)))")
                } else {
                    pending += bytes[start...]
                }
                return
            }
            if pending.isEmpty {
                if newline - start > maxLine { breakAt("longer than \(ByteSize.format(Int64(maxLine)))"); return }
                line(UnsafeRawBufferPointer(rebasing: bytes[start..<newline]))
            } else {
                pending += bytes[start..<newline]
                if pending.count > maxLine { breakAt("longer than \(ByteSize.format(Int64(maxLine)))"); return }
                let whole = pending
                pending = []
                whole.withUnsafeBytes { line($0) }
            }
            start = newline + 1
        }
    }

    /// The end of the file: a last line without a newline is checked like any other.
    mutating func finish() {
        guard broken == nil else { return }
        if !pending.isEmpty {
            let last = pending
            pending = []
            last.withUnsafeBytes { line($0) }
        }
    }

    private mutating func breakAt(_ reason: String) {
        broken = (lineNumber, reason)
    }

    private mutating func line(_ whole: UnsafeRawBufferPointer) {
        defer { physicalLine += 1 }
        // As upstream's verifier (`core-profile/src/audit.rs:120-123`, Rust's `lines()` and `trim()`): a line's
        // trailing CR is not part of it, and a line of only whitespace is skipped.
        let bytes = whole.last == 0x0d ? UnsafeRawBufferPointer(rebasing: whole.dropLast()) : whole
        if bytes.allSatisfy({ $0 == 0x20 || (0x09...0x0d).contains($0) }) { return }
        var scan = JSONScan(bytes, wanted: AuditChainVerifier.wanted)
        do {
            try scan.object()
        } catch {
            breakAt("not valid JSON (\(error.reason) at byte \(error.offset + 1))")
            return
        }
        guard let sequence = scan.integer("sequence") else { breakAt("no non-negative integer 'sequence'"); return }
        guard let previous = scan.plainString("prev_hash") else { breakAt("no 'prev_hash' string"); return }
        if let last = lastSequence {
            guard sequence == last &+ 1 else { breakAt("sequence \(sequence) follows \(last) (expected \(last &+ 1))"); return }
        } else {
            firstSequence = sequence
        }
        guard previous.elementsEqual(previousHash.utf8) else {
            breakAt(entries == 0 ? "the first line's prev_hash is not empty" : "prev_hash is not the BLAKE3 of line \(previousLine) (a line was altered, removed or reordered)")
            return
        }
        var hasher = Blake3()
        hasher.update(bytes)
        previousHash = Hex.encode(hasher.finalize())
        lastSequence = sequence
        previousLine = lineNumber
        entries += 1
    }
}
