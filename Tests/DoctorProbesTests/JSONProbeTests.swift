import DoctorCore
import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

@Suite struct JSONProbeTests {
    let meta = """
        {"version": 1, "init_mode": {"multi-factor": {"factors": ["password", "ssh-agent"]}},
         "enrolled_factors": [{"factor_id": "password", "label": "main", "enrolled_at": 1795500000},
                              {"factor_id": "ssh-agent", "label": "laptop", "enrolled_at": 1795500100}],
         "auth_policy": "any", "created_at": 1795500000, "policy_changed_at": null}
        """

    func check(_ id: String, _ path: String, select: String = "", _ expect: String) -> String {
        fileCheck(id, "{type: json, path: \"\(path)\"\(select.isEmpty ? "" : ", select: \(select)")}", expect)
    }

    @Test func valuesSelectedByPath() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-json")
        let good = directory.write("default.vault-meta", meta)
        let known = "[password, ssh-agent, fido2, tpm, fingerprint, yubikey]"
        let results = try await runChecks(
            check("factors", good, select: "[version, enrolled_factors.*.factor_id, enrolled_factors.1.label, auth_policy, init_mode, policy_changed_at]", """
                {valid: true, type: object, version: 1, enrolled_factors.*.factor_id: {empty: false, subset_of: \(known)}, \
                enrolled_factors.1.label: laptop, auth_policy: {in: [any, all]}, init_mode: [multi-factor]}
                """)
                + check("unknown-factor", good, select: "[enrolled_factors.*.factor_id]", "{enrolled_factors.*.factor_id: {subset_of: [password]}}")
                + check("absent", good, select: "[enrolled_factors.5.label, nothing.here]", "{enrolled_factors.5.label: x}"))
        #expect(results.map(\.status) == [.pass, .fail, .fail], "\(results.map(\.message))")
        #expect(results[1].message.contains(#"enrolled_factors.*.factor_id is ["password", "ssh-agent"], expected with every element in ["password"]"#), "\(results[1].message)")
        #expect(results[2].message.contains("enrolled_factors.5.label is not in \(good); nothing.here is not in \(good)"), "\(results[2].message)")
    }

    @Test func aGlobLooksAtEveryProfilesFile() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-json-glob")
        directory.write("vaults/default.vault-meta", meta)
        directory.write("vaults/work.vault-meta", meta.replacingOccurrences(of: "ssh-agent\", \"label", with: "retina\", \"label"))
        let probe = "{type: json, glob: \"\(directory.path)/vaults/*.vault-meta\", select: [enrolled_factors.*.factor_id]}"
        let results = try await runChecks(
            fileCheck("every-profile", probe, "{enrolled_factors.*.factor_id: {subset_of: [password, ssh-agent]}}")
                + fileCheck("none", "{type: json, glob: \"\(directory.path)/none/*.vault-meta\"}", "{valid: true}")
                + fileCheck("none-allowed", "{type: json, glob: \"\(directory.path)/none/*.vault-meta\", min_matches: 0}", "{valid: true}"))
        #expect(results.map(\.status) == [.fail, .fail, .skip], "\(results.map(\.message))")
        #expect(results[2].message.hasPrefix("nothing to examine: no path matches"), "\(results[2].message)")
        #expect(results[0].observed.map(\.subject) == ["\(directory.path)/vaults/default.vault-meta", "\(directory.path)/vaults/work.vault-meta"])
        #expect(results[0].message.hasPrefix("\(directory.path)/vaults/work.vault-meta: enrolled_factors.*.factor_id is [\"password\", \"retina\"]"), "\(results[0].message)")
        #expect(results[1].message.contains("0 paths match"), "\(results[1].message)")
    }

    @Test func badInputIsAClearFailure() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-json")
        let broken = directory.write("broken.json", "{\"version\": 1,}")
        let text = directory.write("text.json", "version=1\n")
        let utf8 = directory.path + "/utf8.json"
        _ = FileManager.default.createFile(atPath: utf8, contents: Data("{\"label\": \"".utf8) + Data([0xc3, 0x28]) + Data("\"}".utf8))
        let empty = directory.write("empty.json", "")
        let fifo = directory.path + "/fifo.json"
        mkfifo(fifo, 0o600)
        let link = directory.path + "/link.json"
        symlink("/etc/shadow", link)
        let results = try await runChecks(
            check("broken", broken, "{valid: true}") + check("text", text, "{valid: true}") + check("utf8", utf8, "{valid: true}")
                + check("empty", empty, "{valid: true}") + check("fifo", fifo, "{valid: true}") + check("link", link, "{valid: true}")
                + check("dir", directory.path, "{valid: true}") + check("broken-is-invalid", broken, "{valid: false}"))
        #expect(results.map(\.status) == [.fail, .fail, .fail, .fail, .fail, .fail, .fail, .pass], "\(results.map(\.message))")
        #expect(results[0].message.contains("is not valid JSON: expected a member name at byte 15"), "\(results[0].message)")
        #expect(results[2].message.contains("invalid UTF-8"), "\(results[2].message)")
        #expect(results[4].message.contains("is a fifo, not a regular file"), "\(results[4].message)")
        #expect(results[5].message.contains("is a symlink; not followed"), "\(results[5].message)")
    }
}
