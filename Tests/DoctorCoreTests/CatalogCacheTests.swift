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
          remediation: chmod 0600 the keys
          sources:
            - {fact: keys are private, upstream: "src/keys.c:42"}
            - {fact: at most 1G, policy: nothing bigger is a key}
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

    /// What a catalog says, every field of every check (nested values included), for comparing a cached
    /// catalog with a parsed one.
    func render(_ catalog: Catalog) -> String { CatalogCacheTests.render(catalog) }

    static func render(_ catalog: Catalog) -> String {
        var out = "\(catalog.digest) \(catalog.files) \(catalog.defaultTimeout ?? -1) \(catalog.upstream ?? "-") \(catalog.categories) \(catalog.frameworks)\n"
        for check in catalog.checks { out += String(reflecting: check.values) + "\n" }
        return out
    }

    /// The repository root (this file is Tests/DoctorCoreTests/CatalogCacheTests.swift).
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Every catalog of the repository (the shipped one, the valid fixtures, each probe's examples) comes back
    /// from the compiled form exactly as parsed.
    @Test func everyFixtureCatalogComesBackFromTheCodec() async throws {
        var paths = [Self.repoRoot + "/checks", Self.repoRoot + "/Tests/DoctorCLITests/Fixtures/valid"]
        var examples: [TemporaryDirectory] = []
        for probe in BuiltInProbes.registry.sorted {
            for example in probe.spec.examples {
                let directory = TemporaryDirectory()
                directory.write("example.yaml", example.yaml)
                examples.append(directory)
                paths.append(directory.path)
            }
        }
        #expect(examples.count >= BuiltInProbes.all.count)
        for path in paths {
            let parsed = try await load(path, cache: nil)
            #expect(!parsed.checks.isEmpty, "\(path)")
            let key = String(repeating: "ab", count: 32)
            let decoded = try #require(CatalogCodec.decode(CatalogCodec.encode(parsed, key: key), key: key), "\(path)")
            #expect(render(decoded) == render(parsed), "\(path)")
        }
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
        // An entry of the previous format is not read: the catalog is parsed again and the entry replaced.
        var previous = try [UInt8](Data(contentsOf: URL(fileURLWithPath: entry)))
        #expect(Array(previous.prefix(8)) == Array("DOCTORC5".utf8))
        previous.replaceSubrange(0..<8, with: Array("DOCTORC4".utf8))
        try Data(previous).write(to: URL(fileURLWithPath: entry))
        #expect(render(try await load(catalog.path, cache: cache)) == expected)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: entry)).prefix(8)) == Array("DOCTORC5".utf8))
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
