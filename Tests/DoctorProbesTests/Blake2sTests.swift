import DoctorTestSupport
import Foundation
import Testing
@testable import DoctorProbes

@Suite struct Blake2sTests {
    /// The known-answer set of the BLAKE2 reference (inputs of 0 to 255 bytes 00 01 02 …, unkeyed and with the
    /// 32-byte key 00 01 … 1f), answered by Python's hashlib (the reference C code of BLAKE2, not ours).
    @Test func knownAnswers() throws {
        let answers = try ReferenceData.capture(["python3", "-c", """
            import hashlib
            key = bytes(range(32))
            for n in range(256):
                data = bytes(range(n))
                print(n, hashlib.blake2s(data).hexdigest(), hashlib.blake2s(data, key=key).hexdigest())
            """]).split(separator: "\n")
        #expect(answers.count == 256)
        let key = (0..<32).map { UInt8($0) }
        for line in answers {
            let fields = line.split(separator: " ").map(String.init)
            let count = try #require(Int(fields[0]))
            let data = (0..<count).map { UInt8($0) }
            #expect(hexText(NoiseCrypto.blake2s(data)) == fields[1], "unkeyed, \(count) bytes")
            #expect(hexText(NoiseCrypto.blake2s(data, key: key)) == fields[2], "keyed, \(count) bytes")
        }
    }

    @Test func hmacMatchesRFC2104OverBlake2s() {
        // HMAC computed from its definition with the unkeyed hash, for a long key (hashed first) and a short one.
        for key in [[UInt8](repeating: 0xaa, count: 80), [UInt8](repeating: 0x0b, count: 20)] {
            let message = Array("doctor".utf8)
            var block = key.count > 64 ? NoiseCrypto.blake2s(key) : key
            block += [UInt8](repeating: 0, count: 64 - block.count)
            let inner = NoiseCrypto.blake2s(block.map { $0 ^ 0x36 }, message)
            let expected = NoiseCrypto.blake2s(block.map { $0 ^ 0x5c }, inner)
            #expect(NoiseCrypto.hmac(key: key, message) == expected)
        }
    }
}
