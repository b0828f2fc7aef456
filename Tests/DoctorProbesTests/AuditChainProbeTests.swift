import DoctorCore
import DoctorTestSupport
import Foundation
import Testing

@testable import DoctorProbes

/// Runs a Python helper (the pip-installed Python: it has PyPI blake3) and waits for it.
func python(_ arguments: [String]) throws {
    let child = try ChildProcess(["/usr/bin/env", "python3"] + arguments)
    let status = child.wait()
    guard status == 0 else { throw ToolError("python3 \(arguments.joined(separator: " ")) exited with \(status)") }
}

func auditLog(_ directory: TemporaryDirectory, _ name: String, count: Int, _ damage: [String] = []) throws -> String {
    let path = directory.path + "/" + name
    try python([fixtures + "/audit/make_log.py", path, String(count)] + damage)
    return path
}

func auditCheck(_ id: String, _ path: String, _ expect: String = "{intact: true}") -> String {
    fileCheck(id, "{type: audit-chain, path: \"\(path)\"}", expect)
}

@Suite struct AuditChainProbeTests {
    @Test func logsChainedByAnotherBlake3Verify() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-audit")
        let good = try auditLog(directory, "good.jsonl", count: 500)
        let results = try await runChecks(auditCheck("good", good, "{intact: true, entries: 500, first_sequence: 1, last_sequence: 500, first_broken_line: 0}"))
        #expect(results.map(\.status) == [.pass], "\(results.map(\.message))")
    }

    @Test func everyKindOfDamageIsFoundAtItsLine() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-audit")
        let tampered = try auditLog(directory, "tampered.jsonl", count: 100, ["--tamper", "40"])
        let deleted = try auditLog(directory, "deleted.jsonl", count: 100, ["--delete", "40"])
        let swapped = try auditLog(directory, "swapped.jsonl", count: 100, ["--swap", "40"])
        let truncated = try auditLog(directory, "truncated.jsonl", count: 100, ["--truncate-last"])
        let results = try await runChecks(
            auditCheck("tampered", tampered, "{first_broken_line: 41, entries: 40}")
                + auditCheck("deleted", deleted, "{first_broken_line: 40, entries: 39}")
                + auditCheck("swapped", swapped, "{first_broken_line: 40, entries: 39}")
                + auditCheck("truncated", truncated, "{first_broken_line: 100, entries: 99}")
                + auditCheck("tampered-default", tampered))
        #expect(results.map(\.status) == [.pass, .pass, .pass, .pass, .fail], "\(results.map(\.message))")
        #expect(results[4].message.contains("line 41: prev_hash is not the BLAKE3 of line 40"), "\(results[4].message)")
        let reasons = results.map { $0.observed.first?.value("broken_reason")?.asString ?? "" }
        #expect(reasons[1] == "sequence 41 follows 39 (expected 40)")
        #expect(reasons[2] == "sequence 41 follows 39 (expected 40)")
        #expect(reasons[3].hasPrefix("not valid JSON"))
    }

    /// Blank lines and CR LF endings are read as upstream's verifier reads them (`core-profile/src/audit.rs:120-123`):
    /// skipped, and not part of the line. Line numbers stay those of the file.
    @Test func blankLinesAndCarriageReturnsAreReadAsUpstreamReadsThem() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-audit")
        let blank = try auditLog(directory, "blank.jsonl", count: 100, ["--blank-after", "40"])
        let crlf = try auditLog(directory, "crlf.jsonl", count: 100, ["--crlf"])
        let both = try auditLog(directory, "both.jsonl", count: 100, ["--blank-after", "40", "--tamper", "60"])
        let results = try await runChecks(
            auditCheck("blank", blank, "{intact: true, entries: 100, last_sequence: 100}")
                + auditCheck("crlf", crlf, "{intact: true, entries: 100}")
                + auditCheck("both", both, "{first_broken_line: 63, entries: 60}"))
        #expect(results.map(\.status) == [.pass, .pass, .pass], "\(results.map(\.message))")
        #expect(results[2].observed.first?.value("broken_reason")?.asString == "prev_hash is not the BLAKE3 of line 62 (a line was altered, removed or reordered)")
    }

    @Test func badInputIsAClearFailureNeverAHang() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-audit")
        let notJSON = directory.write("text.jsonl", "hello\n")
        let badUTF8 = directory.path + "/utf8.jsonl"
        _ = FileManager.default.createFile(atPath: badUTF8, contents: Data("{\"sequence\":1,\"prev_hash\":\"\",\"x\":\"".utf8) + Data([0xff, 0xfe]) + Data("\"}\n".utf8))
        let long = directory.path + "/long.jsonl"
        // One 3 MiB line with no newline: read in pieces, rejected without being held.
        _ = FileManager.default.createFile(atPath: long, contents: Data(repeating: UInt8(ascii: "a"), count: 3 << 20))
        // A 2 GiB line (a sparse file: no newline anywhere): refused once it passes 1 MiB, never held in memory.
        let huge = directory.path + "/huge.jsonl"
        _ = FileManager.default.createFile(atPath: huge, contents: Data("{\"sequence\":1,".utf8))
        truncate(huge, 2 << 30)
        let firstNotEmpty = directory.write("first.jsonl", "{\"sequence\":1,\"prev_hash\":\"abc\"}\n")
        let fifo = directory.path + "/fifo.jsonl"
        mkfifo(fifo, 0o600)
        let link = directory.path + "/link.jsonl"
        symlink("/etc/shadow", link)
        let results = try await runChecks(
            auditCheck("not-json", notJSON) + auditCheck("utf8", badUTF8) + auditCheck("long", long)
                + auditCheck("first", firstNotEmpty) + auditCheck("fifo", fifo) + auditCheck("link", link)
                + auditCheck("dir", directory.path) + auditCheck("missing", directory.path + "/none.jsonl")
                + auditCheck("huge", huge))
        #expect(results.map(\.status) == [.fail, .fail, .fail, .fail, .fail, .fail, .fail, .fail, .fail], "\(results.map(\.message))")
        #expect(results[8].message.contains("line 1: longer than 1 MiB"), "\(results[8].message)")
        #expect(results[0].message.contains("line 1: not valid JSON"))
        #expect(results[1].message.contains("invalid UTF-8"))
        #expect(results[2].message.contains("line 1: longer than 1 MiB"))
        #expect(results[3].message.contains("the first line's prev_hash is not empty"))
        #expect(results[4].message.contains("is not a regular file; not read"))
        #expect(results[5].message.contains("is a symlink; not followed"))
        #expect(results[6].message.contains("is not a regular file; not read"))
        #expect(results[7].message.contains("does not exist"))
    }

    @Test func theVerifierTakesPiecesOfAnySize() throws {
        let directory = TemporaryDirectory(prefix: "doctor-audit")
        let path = try auditLog(directory, "log.jsonl", count: 50)
        let data = try #require(FileManager.default.contents(atPath: path))
        for piece in [1, 7, 100, 4096] {
            var verifier = AuditChainVerifier(maxLine: 1 << 20)
            var offset = 0
            while offset < data.count {
                let end = min(offset + piece, data.count)
                data[offset..<end].withUnsafeBytes { verifier.feed($0) }
                offset = end
            }
            verifier.finish()
            #expect(verifier.entries == 50 && verifier.broken == nil, "pieces of \(piece)")
        }
    }
}

