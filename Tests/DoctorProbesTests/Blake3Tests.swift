import DoctorCore
import Foundation
import Testing

@testable import DoctorProbes

@Suite struct Blake3Tests {
    struct Case: Decodable {
        var input_len: Int
        var hash: String
        var keyed_hash: String
        var derive_key: String
    }

    struct File: Decodable {
        var key: String
        var context_string: String
        var cases: [Case]
    }

    static let file: File? = {
        guard let data = FileManager.default.contents(atPath: sharedVectors + "/blake3-test-vectors.json") else { return nil }
        return try? JSONDecoder().decode(File.self, from: data)
    }()

    /// The official input: byte i is i mod 251.
    static func input(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0 % 251) } }

    @Test func everyOfficialCaseWithExtendedOutput() throws {
        let file = try #require(Blake3Tests.file, "read \(sharedVectors)/blake3-test-vectors.json")
        #expect(file.cases.count == 35)
        for vector in file.cases {
            let data = Blake3Tests.input(vector.input_len)
            let length = vector.hash.count / 2
            var plain = Blake3()
            plain.update(data)
            #expect(Hex.encode(plain.finalize(length: length)) == vector.hash, "hash, \(vector.input_len) bytes")
            // The default 32 bytes are the prefix of the extended output.
            #expect(Hex.encode(Blake3.hash(data)) == String(vector.hash.prefix(64)))
            var keyed = Blake3(key: Array(file.key.utf8))
            keyed.update(data)
            #expect(Hex.encode(keyed.finalize(length: length)) == vector.keyed_hash, "keyed_hash, \(vector.input_len) bytes")
            var derive = Blake3(deriveKeyContext: file.context_string)
            derive.update(data)
            #expect(Hex.encode(derive.finalize(length: length)) == vector.derive_key, "derive_key, \(vector.input_len) bytes")
        }
    }

    @Test func streamingInAnyPiecesGivesTheSameHash() throws {
        let file = try #require(Blake3Tests.file)
        let vector = try #require(file.cases.first { $0.input_len == 102400 })
        let data = Blake3Tests.input(vector.input_len)
        for piece in [1, 63, 64, 65, 1000, 1024, 4097] {
            var hasher = Blake3()
            var offset = 0
            while offset < data.count {
                let end = min(offset + piece, data.count)
                hasher.update(Array(data[offset..<end]))
                offset = end
            }
            #expect(Hex.encode(hasher.finalize()) == String(vector.hash.prefix(64)), "pieces of \(piece)")
        }
    }
}
