import DoctorCore
import DoctorTestSupport
import Foundation
import Testing
@testable import DoctorProbes

@Suite struct KeypairChecksumTests {
    /// A keypair directory written by Python (PyPI blake3 for the checksum).
    func keypairs(_ directory: TemporaryDirectory) throws {
        try python(["-c", """
            import os, sys
            from blake3 import blake3
            d = sys.argv[1]
            for name in ["bus", "daemon-secrets", "daemon-wm"]:
                private, public = os.urandom(32), os.urandom(32)
                open(f"{d}/{name}.key", "wb").write(private)
                open(f"{d}/{name}.pub", "wb").write(public)
                open(f"{d}/{name}.checksum", "wb").write(blake3(private, key=public).digest())
            """, directory.path])
    }

    @Test func matchMismatchAndMissing() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-keys")
        try keypairs(directory)
        // daemon-wm: altered private key; a key with no checksum; a symlink to /etc/shadow posing as a key.
        var altered = try #require(FileManager.default.contents(atPath: directory.path + "/daemon-wm.key"))
        altered[0] ^= 1
        _ = FileManager.default.createFile(atPath: directory.path + "/daemon-wm.key", contents: altered)
        directory.write("lonely.key", String(repeating: "k", count: 32))
        symlink("/etc/shadow", directory.path + "/shadow.key")
        directory.write("shadow.pub", String(repeating: "p", count: 32))
        directory.write("shadow.checksum", String(repeating: "c", count: 32))
        let probe = { (name: String) in "{type: file, path: \"\(directory.path)/\(name)\", checksum: keypair}" }
        let results = try await runChecks(
            fileCheck("bus", probe("bus.key"), "{checksum: match}")
                + fileCheck("secrets", probe("daemon-secrets.key"), "{checksum: match}")
                + fileCheck("wm", probe("daemon-wm.key"), "{checksum: match}")
                + fileCheck("lonely", probe("lonely.key"), "{checksum: {in: [match, missing], warn_if: {eq: missing}}}")
                + fileCheck("shadow", probe("shadow.key"), "{checksum: mismatch}")
                + fileCheck("all", "{type: file, glob: \"\(directory.path)/*.key\", checksum: keypair}", "{checksum: {in: [match, missing]}}"))
        #expect(results.map(\.status) == [.pass, .pass, .fail, .warn, .pass, .fail], "\(results.map(\.message))")
        let shadow = results[4].observed.first?.value("checksum_problem")?.asString ?? ""
        #expect(shadow.contains("is a symlink; not followed"), "\(shadow)")
        let wm = results[2].observed.first?.value("checksum_problem")?.asString ?? ""
        #expect(wm.contains("does not match the keyed BLAKE3"), "\(wm)")
    }
}
