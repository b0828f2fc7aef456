import DoctorYAML
@testable import DoctorCore
import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

@Suite struct CatalogCacheTests {
    static let yaml = """
        - id: every-kind
          title: Every kind of value
          description: d
          rationale: r
          category: crypto-posture
          severity: critical
          governance: {stig: [V-222642], pci-dss: ["3.6.1.2"]}
          tags: [a, b]
          timeout: 1500ms
          requires: [other]
          when: {env: [HOME], env_unset: NOPE, env_equals: {X: "${X:-}"}, path_exists: /, path_absent: /nope, reason: why}
          probe: {type: file, glob: "${HOME}/*.key", min_matches: 0}
          expect:
            type: [file, socket]
            mode: {within: "0700", ne: "0000"}
            owner: ${UID}
            size: {ge: 1, warn_if: {gt: 64M}, fail_if: {gt: 1G}}
          governance_expect:
            stig: {mode: {within: "0600"}}
            pci-dss: {size: {le: 32}, owner: root}
        - id: other
          title: Other
          category: configuration
          severity: low
          probe: {type: env, name: HOME}
          expect: {value: {matches: "^/", not_in: [/tmp]}}
        """

    func load(_ directory: String, cache: CatalogCache?) async throws -> Catalog {
        try await CatalogLoader(registry: BuiltInProbes.registry).load(paths: [directory], cache: cache)
    }

    func entries(_ cache: CatalogCache) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cache.directory)) ?? []).filter { $0.hasSuffix(".catalog") }
    }

    /// What a catalog says, rendered field by field, for comparing a cached catalog with a parsed one.
    func render(_ catalog: Catalog) -> String {
        var out = "\(catalog.digest) \(catalog.files) \(catalog.defaultTimeout ?? -1) \(catalog.categories.map(\.id))\n"
        for check in catalog.checks {
            out += "\(check.id)|\(check.title)|\(check.description ?? "")|\(check.rationale ?? "")|\(check.category)|\(check.severity)|"
            out += "\(check.governance.map { "\($0.framework)=\($0.controls)" })|\(check.tags)|\(check.timeout ?? -1)|\(check.requires)|"
            out += "\(check.when.count)|\(check.whenReason ?? "")|\(check.location)|\(check.probe.type)|"
            out += check.probe.parameters.map { "\($0.name)=\($0.value.text())" }.joined(separator: ",") + "|"
            out += check.expectations.map { "\($0.observation) \($0.summary) @\($0.mark)" }.joined(separator: ";") + "|"
            out += check.governanceExpectations.map { entry in
                entry.framework + ":" + entry.expectations.map { "\($0.observation) \($0.summary) @\($0.mark)" }.joined(separator: ";")
            }.joined(separator: "/") + "\n"
        }
        return out
    }

    @Test func aCachedCatalogIsTheSameCatalog() async throws {
        let catalog = TemporaryDirectory(), cacheDir = TemporaryDirectory()
        catalog.write("checks.yaml", Self.yaml)
        let cache = CatalogCache(directory: cacheDir.path + "/doctor")
        let parsed = try await load(catalog.path, cache: cache)
        #expect(entries(cache).count == 1)
        let cached = try await load(catalog.path, cache: cache)
        let fresh = try await load(catalog.path, cache: nil)
        #expect(render(cached) == render(fresh))
        #expect(render(parsed) == render(fresh))
        var info = stat()
        #expect(lstat(cache.directory, &info) == 0 && info.st_mode & 0o777 == 0o700)
    }

    @Test func aMatchingEntryIsUsedInsteadOfParsing() async throws {
        let catalog = TemporaryDirectory(), cacheDir = TemporaryDirectory()
        catalog.write("checks.yaml", Self.yaml)
        let cache = CatalogCache(directory: cacheDir.path)
        let parsed = try await load(catalog.path, cache: cache)
        let name = try #require(entries(cache).first)
        let key = String(name.dropLast(".catalog".count))
        // Plant an entry under the same key whose checks differ: the next load must return it.
        let planted = Catalog(checks: Array(parsed.checks.prefix(1)), files: parsed.files, digest: parsed.digest, categories: parsed.categories, defaultTimeout: parsed.defaultTimeout)
        try Data(CatalogCodec.encode(planted, key: key)).write(to: URL(fileURLWithPath: cacheDir.path + "/" + name))
        let hit = try await load(catalog.path, cache: cache)
        #expect(hit.checks.map(\.id) == ["every-kind"])
        // An entry written for another key is refused.
        try Data(CatalogCodec.encode(planted, key: String(repeating: "0", count: 64))).write(to: URL(fileURLWithPath: cacheDir.path + "/" + name))
        #expect(try await load(catalog.path, cache: cache).checks.count == 2)
    }

    @Test func anEditedFileIsParsedAgain() async throws {
        let catalog = TemporaryDirectory(), cacheDir = TemporaryDirectory()
        catalog.write("checks.yaml", Self.yaml)
        let cache = CatalogCache(directory: cacheDir.path)
        _ = try await load(catalog.path, cache: cache)
        catalog.write("checks.yaml", Self.yaml.replacingOccurrences(of: "title: Other", with: "title: Edited"))
        let edited = try await load(catalog.path, cache: cache)
        #expect(edited.check("other")?.title == "Edited")
        #expect(entries(cache).count == 2)
        // An edit that breaks the catalog is reported, whatever the cache holds.
        catalog.write("checks.yaml", Self.yaml.replacingOccurrences(of: "severity: low", with: "severity: lo"))
        await #expect(throws: CatalogError.self) { _ = try await load(catalog.path, cache: cache) }
        #expect(entries(cache).count == 2)
    }

    @Test func aDamagedEntryIsIgnored() async throws {
        let catalog = TemporaryDirectory(), cacheDir = TemporaryDirectory()
        catalog.write("checks.yaml", Self.yaml)
        let cache = CatalogCache(directory: cacheDir.path)
        let expected = render(try await load(catalog.path, cache: cache))
        let entry = cacheDir.path + "/" + (entries(cache).first ?? "")
        for cut in [0, 9, 200, 400] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: entry))
            try bytes.prefix(min(cut, bytes.count)).write(to: URL(fileURLWithPath: entry))
            #expect(render(try await load(catalog.path, cache: cache)) == expected, "truncated at \(cut)")
        }
        var garbage = [UInt8](repeating: 0xFF, count: 4096)
        garbage.replaceSubrange(0..<8, with: Array("DOCTORC1".utf8))
        try Data(garbage).write(to: URL(fileURLWithPath: entry))
        #expect(render(try await load(catalog.path, cache: cache)) == expected)
    }

    @Test func aCacheDirectoryOthersCanWriteIsNotUsed() async throws {
        let catalog = TemporaryDirectory(), cacheDir = TemporaryDirectory()
        catalog.write("checks.yaml", Self.yaml)
        chmod(cacheDir.path, 0o777)
        let cache = CatalogCache(directory: cacheDir.path)
        _ = try await load(catalog.path, cache: cache)
        #expect(entries(cache).isEmpty)
    }

    @Test func theEnvironmentChoosesTheCache() {
        #expect(CatalogCache.standard(environment: ["DOCTOR_CACHE": "off", "HOME": "/h"]) == nil)
        #expect(CatalogCache.standard(environment: ["DOCTOR_CACHE_DIR": "/c", "HOME": "/h"])?.directory == "/c")
        #expect(CatalogCache.standard(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"])?.directory == "/x/doctor")
        #expect(CatalogCache.standard(environment: ["HOME": "/h"])?.directory == "/h/.cache/doctor")
    }
}
