import DoctorCore
import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

/// Vaults built with real SQLCipher libraries: Debian's 3.4.1 (its `sqlcipher` shell) and SQLCipher 4.12
/// (PyPI sqlcipher3-binary), by `Fixtures/vault/make_vault.py`.
struct Vaults {
    let directory = TemporaryDirectory(prefix: "doctor-vault")
    let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()

    func make(_ arguments: String...) throws -> String {
        let path = directory.path + "/" + arguments[1]
        var rest = Array(arguments.dropFirst(2))
        if arguments[0] == "v3" || arguments[0] == "v4" { rest.append(key) }
        try python([fixtures + "/vault/make_vault.py", arguments[0], path] + rest)
        return path
    }

    var keyFile: String { directory.write("vault.key", key + "\n", mode: 0o600) }
}

func vaultCheck(_ id: String, _ path: String, _ extra: String = "", _ expect: String) -> String {
    fileCheck(id, "{type: sqlcipher, path: \"\(path)\"\(extra)}", expect)
}

let sha1 = ", cipher_hmac_algorithm: HMAC_SHA1, cipher_kdf_algorithm: PBKDF2_HMAC_SHA1"

@Suite struct SQLCipherProbeTests {
    @Test func aHealthyVaultOfTheLinkedSQLCipher() async throws {
        let vaults = Vaults()
        let good = try vaults.make("v3", "good.db")
        let keyFile = vaults.keyFile
        let results = try await runChecks(
            vaultCheck("keyless", good, "", "{encrypted: true, page_aligned: true, wal_private: true, sqlcipher_version: {matches: '^3\\.'}}")
                + vaultCheck("keyed", good, ", key_file: \"\(keyFile)\"\(sha1)", "{opened: true, tables: {contains: secrets}, integrity: ok, cipher_integrity: unsupported}")
                + vaultCheck("env", good, ", key_env: VAULT_KEY\(sha1)", "{opened: true}"),
            variables: ["VAULT_KEY": vaults.key])
        #expect(results.map(\.status) == [.pass, .pass, .pass], "\(results.map(\.message))")
        // The key is in no result.
        #expect(!results.contains { $0.message.contains(vaults.key) || $0.observed.contains { $0.values.contains { $0.text.contains(vaults.key) } } })
    }

    @Test func aGlobLooksAtEveryProfilesVault() async throws {
        let vaults = Vaults()
        _ = try vaults.make("v3", "default.db")
        _ = try vaults.make("plain", "work.db")
        let results = try await runChecks(
            fileCheck("every-vault", "{type: sqlcipher, glob: \"\(vaults.directory.path)/*.db\"}", "{encrypted: true}"))
        #expect(results.map(\.status) == [.fail], "\(results.map(\.message))")
        #expect(results[0].observed.compactMap(\.subject).map { ($0 as NSString).lastPathComponent } == ["default.db", "work.db"])
        #expect(results[0].message.hasPrefix("\(vaults.directory.path)/work.db: encrypted is false"), "\(results[0].message)")
        // One key opens one vault: a key with a glob is refused, saying so.
        let keyed = await loadError(fileCheck("keyed-glob", "{type: sqlcipher, glob: \"\(vaults.directory.path)/*.db\", key_env: K}", "{opened: true}"))
        #expect(keyed?.contains("[keyed-glob] probe 'sqlcipher': a key opens one vault") == true, "\(keyed ?? "loaded")")
    }

    @Test func wrongKeyDamageTruncationAndPlaintext() async throws {
        let vaults = Vaults()
        let keyFile = vaults.keyFile
        let wrongKey = vaults.directory.write("wrong.key", String(repeating: "ab", count: 32), mode: 0o600)
        let good = try vaults.make("v3", "good.db")
        let flipped = try vaults.make("v3", "flipped.db")
        try python([fixtures + "/vault/make_vault.py", "flip", flipped, String(5 * 4096 + 300)])
        let truncated = try vaults.make("v3", "truncated.db")
        try python([fixtures + "/vault/make_vault.py", "truncate", truncated, String(3 * 4096 + 100)])
        let plain = try vaults.make("plain", "plain.db")
        let keyed = ", key_file: \"\(keyFile)\"\(sha1)"
        let results = try await runChecks(
            vaultCheck("wrong-key", good, ", key_file: \"\(wrongKey)\"\(sha1)", "{opened: true}")
                + vaultCheck("flipped", flipped, keyed, "{opened: true, integrity: ok}")
                + vaultCheck("truncated", truncated, "", "{page_aligned: true}")
                + vaultCheck("truncated-keyed", truncated, keyed, "{integrity: ok}")
                + vaultCheck("plain", plain, "", "{encrypted: true}"))
        #expect(results.map(\.status) == [.fail, .fail, .fail, .fail, .fail], "\(results.map(\.message))")
        #expect(results[0].message.contains("the key does not open"), "\(results[0].message)")
        #expect(results[1].message.contains(#"integrity is "unreadable page"#), "\(results[1].message)")
        #expect(results[2].message.contains("page_aligned is false"), "\(results[2].message)")
        #expect(results[4].message.contains("encrypted is false"), "\(results[4].message)")
    }

    @Test func anSQLCipher4VaultIsSkippedWithTheReasonNeverPassedOrCorrupt() async throws {
        let vaults = Vaults()
        let modern = try vaults.make("v4", "modern.db")
        let keyFile = vaults.keyFile
        let results = try await runChecks(
            vaultCheck("keyless", modern, "", "{encrypted: true, page_aligned: true}")
                + vaultCheck("keyed", modern, ", key_file: \"\(keyFile)\"", "{opened: true, integrity: ok}"))
        #expect(results.map(\.status) == [.pass, .skip], "\(results.map(\.message))")
        #expect(results[1].message.contains("needs SQLCipher ≥ 4"), "\(results[1].message)")
        #expect(results[1].message.contains("the linked SQLCipher is 3.4.1"), "\(results[1].message)")
    }

    @Test func badInputIsAClearFailure() async throws {
        let vaults = Vaults()
        let good = try vaults.make("v3", "good.db")
        let wal = vaults.directory.write("good.db-wal", "", mode: 0o644)
        _ = wal
        let fifo = vaults.directory.path + "/fifo.db"
        mkfifo(fifo, 0o600)
        let link = vaults.directory.path + "/link.db"
        symlink("/etc/shadow", link)
        let badKey = vaults.directory.write("bad.key", "not a key", mode: 0o600)
        let results = try await runChecks(
            vaultCheck("wal", good, "", "{wal_private: true}")
                + vaultCheck("fifo", fifo, "", "{encrypted: true}")
                + vaultCheck("link", link, "", "{encrypted: true}")
                + vaultCheck("dir", vaults.directory.path, "", "{encrypted: true}")
                + vaultCheck("missing", vaults.directory.path + "/none.db", "", "{encrypted: true}")
                + vaultCheck("bad-key", good, ", key_file: \"\(badKey)\"\(sha1)", "{opened: true}")
                + vaultCheck("no-key", good, sha1, "{opened: true}"))
        #expect(results.map(\.status) == [.fail, .fail, .fail, .fail, .fail, .error, .error], "\(results.map(\.message))")
        #expect(results[1].message.contains("is a fifo, not a vault file"))
        #expect(results[2].message.contains("is a symlink, not a vault file"))
        #expect(results[5].message.contains("does not hold a raw key (64 hex digits)"))
        #expect(results[6].message.contains("need 'key_file' or 'key_env'"))
    }
}
