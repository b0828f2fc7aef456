import DoctorCore
import DoctorYAML
import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

@Suite struct SaltTests {
    @Test func saltsOfTheWrongSizeOrAllZerosFail() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-salt")
        let good = directory.path + "/good.salt"
        _ = FileManager.default.createFile(atPath: good, contents: Data((0..<16).map { _ in UInt8.random(in: 1...255) } + [0]).prefix(16), attributes: [.posixPermissions: 0o600])
        let empty = directory.write("empty.salt", "", mode: 0o600)
        let short = directory.write("short.salt", String(repeating: "s", count: 15), mode: 0o600)
        let zeros = directory.path + "/zeros.salt"
        _ = FileManager.default.createFile(atPath: zeros, contents: Data(count: 16), attributes: [.posixPermissions: 0o600])
        let fifo = directory.path + "/fifo.salt"
        mkfifo(fifo, 0o600)
        let expect = "{type: file, size: 16, constant_bytes: false}"
        let results = try await runChecks(
            fileCheck("good", "{type: file, path: \"\(good)\"}", expect) + fileCheck("empty", "{type: file, path: \"\(empty)\"}", expect)
                + fileCheck("short", "{type: file, path: \"\(short)\"}", expect) + fileCheck("zeros", "{type: file, path: \"\(zeros)\"}", expect)
                + fileCheck("fifo", "{type: file, path: \"\(fifo)\"}", expect))
        #expect(results.map(\.status) == [.pass, .fail, .fail, .fail, .fail], "\(results.map(\.message))")
        #expect(results[1].message.contains("size is 0 B, expected == 16 B"), "\(results[1].message)")
        #expect(results[2].message.contains("size is 15 B"), "\(results[2].message)")
        #expect(results[3].message.contains("constant_bytes is true, expected == false"), "\(results[3].message)")
        #expect(results[4].message.contains(#"type is "fifo""#), "\(results[4].message)")
    }
}
