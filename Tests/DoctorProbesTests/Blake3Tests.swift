import DoctorCore
import DoctorTestSupport
import Foundation
import Testing

@testable import DoctorProbes

@Suite struct Blake3Tests {
    /// The official test vectors' inputs and parameters (the BLAKE3 reference repository's
    /// `test_vectors/test_vectors.json`): byte i of an input is i mod 251, these lengths, this key and context,
    /// 131 bytes of extended output. The answers come from two implementations we did not write: Debian's
    /// `b3sum` (the official Rust one) and PyPI `blake3` (its Python binding).
    static let lengths = [0, 1, 2, 3, 4, 5, 6, 7, 8, 63, 64, 65, 127, 128, 129, 1023, 1024, 1025, 2048, 2049, 3072, 3073, 4096, 4097, 5120, 5121, 6144, 6145, 7168, 7169, 8192, 8193, 16384, 31744, 102400]
    static let key = "whats the Elvish word for friend"
    static let context = "BLAKE3 2019-12-27 16:29:52 test vectors context"
    static let outputLength = 131

    /// The official input: byte i is i mod 251.
    static func input(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0 % 251) } }

    struct Answer: Decodable, Equatable {
        var hash: String
        var keyed: String
        var derive: String
    }

    /// PyPI blake3's answers for every official length.
    static func pythonAnswers() throws -> [Int: Answer] {
        let output = try ReferenceData.capture(["python3", "-c", """
            import json, sys, blake3
            key, context, length = sys.argv[1].encode(), sys.argv[2], int(sys.argv[3])
            for n in map(int, sys.argv[4].split(",")):
                data = bytes(i % 251 for i in range(n))
                print(json.dumps({"n": n, "hash": blake3.blake3(data).hexdigest(length),
                    "keyed": blake3.blake3(data, key=key).hexdigest(length),
                    "derive": blake3.blake3(data, derive_key_context=context).hexdigest(length)}))
            """, key, context, String(outputLength), lengths.map(String.init).joined(separator: ",")])
        struct Line: Decodable { var n: Int; var hash: String; var keyed: String; var derive: String }
        var out: [Int: Answer] = [:]
        for line in output.split(separator: "\n") {
            let decoded = try JSONDecoder().decode(Line.self, from: Data(line.utf8))
            out[decoded.n] = Answer(hash: decoded.hash, keyed: decoded.keyed, derive: decoded.derive)
        }
        return out
    }

    /// b3sum's answer for one input.
    static func b3sumAnswer(_ data: [UInt8]) throws -> Answer {
        let scratch = TemporaryDirectory(prefix: "doctor-blake3")
        let path = scratch.path + "/input"
        _ = FileManager.default.createFile(atPath: path, contents: Data(data))
        func run(_ mode: [String], input: [UInt8] = []) throws -> String {
            try ReferenceData.capture(["b3sum", "--no-names", "--length", String(outputLength)] + mode + [path], input: input)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return Answer(hash: try run([]), keyed: try run(["--keyed"], input: Array(key.utf8)), derive: try run(["--derive-key", context]))
    }

    /// Ours, for one input.
    static func ourAnswer(_ data: [UInt8]) -> Answer {
        var plain = Blake3()
        plain.update(data)
        var keyed = Blake3(key: Array(key.utf8))
        keyed.update(data)
        var derive = Blake3(deriveKeyContext: context)
        derive.update(data)
        return Answer(
            hash: Hex.encode(plain.finalize(length: outputLength)), keyed: Hex.encode(keyed.finalize(length: outputLength)),
            derive: Hex.encode(derive.finalize(length: outputLength)))
    }

    @Test func everyOfficialCaseWithExtendedOutput() throws {
        let python = try Blake3Tests.pythonAnswers()
        #expect(python.count == 35)
        for length in Blake3Tests.lengths {
            let data = Blake3Tests.input(length)
            let reference = try Blake3Tests.b3sumAnswer(data)
            // The two references agree, or the test is not comparing with anything.
            #expect(python[length] == reference, "b3sum and PyPI blake3 disagree at \(length) bytes")
            let ours = Blake3Tests.ourAnswer(data)
            #expect(ours.hash == reference.hash, "hash, \(length) bytes")
            #expect(ours.keyed == reference.keyed, "keyed_hash, \(length) bytes")
            #expect(ours.derive == reference.derive, "derive_key, \(length) bytes")
            // The default 32 bytes are the prefix of the extended output.
            #expect(Hex.encode(Blake3.hash(data)) == String(reference.hash.prefix(64)))
        }
    }

    @Test func streamingInAnyPiecesGivesTheSameHash() throws {
        let data = Blake3Tests.input(102400)
        let expected = String(try Blake3Tests.b3sumAnswer(data).hash.prefix(64))
        for piece in [1, 63, 64, 65, 1000, 1024, 4097] {
            var hasher = Blake3()
            var offset = 0
            while offset < data.count {
                let end = min(offset + piece, data.count)
                hasher.update(Array(data[offset..<end]))
                offset = end
            }
            #expect(Hex.encode(hasher.finalize()) == expected, "pieces of \(piece)")
        }
    }
}
