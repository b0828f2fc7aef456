import DoctorCore
import DoctorTestSupport
import Foundation
import Testing

/// Our SHA-256 against implementations we did not write: Python's hashlib for every length from 0 to 1,100
/// bytes (every padding case, one and several blocks), and coreutils' sha256sum over 3 MiB fed in odd pieces.
@Suite struct SHA256Tests {
    /// Input n: bytes (i * 7 + n) mod 256.
    static func input(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ count) } }

    @Test func everyLengthUpTo1100MatchesHashlib() throws {
        let answers = try ReferenceData.capture(["python3", "-c", """
            import hashlib
            for n in range(1101):
                print(hashlib.sha256(bytes((i * 7 + n) % 256 for i in range(n))).hexdigest())
            """]).split(separator: "\n").map(String.init)
        #expect(answers.count == 1101)
        for (count, expected) in answers.enumerated() {
            #expect(Hex.encode(SHA256.hash(data: SHA256Tests.input(count))) == expected, "\(count) bytes")
        }
        // The well-known answer for "abc" (FIPS 180-4's first example), as a fixed point.
        #expect(Hex.encode(SHA256.hash(data: Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func streamingInPiecesMatchesSha256sum() throws {
        let data = SHA256Tests.input(3 << 20)
        let scratch = TemporaryDirectory(prefix: "doctor-sha256")
        let path = scratch.path + "/input"
        _ = FileManager.default.createFile(atPath: path, contents: Data(data))
        let expected = String(try ReferenceData.capture(["sha256sum", path]).prefix(64))
        for piece in [1, 55, 56, 63, 64, 65, 1000, 65536, 1 << 22] {
            var hasher = SHA256()
            var offset = 0
            // Small pieces over the first 64 KiB only (a byte at a time over 3 MiB is slow in a debug build),
            // then the rest in one.
            let limit = piece < 1000 ? 65536 : data.count
            while offset < limit {
                let end = min(offset + piece, limit)
                hasher.update(data: Array(data[offset..<end]))
                offset = end
            }
            data[offset...].withUnsafeBytes { hasher.update(bufferPointer: $0) }
            #expect(Hex.encode(hasher.finalize()) == expected, "pieces of \(piece)")
        }
    }
}
