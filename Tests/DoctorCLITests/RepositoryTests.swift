import DoctorCLI
import DoctorCore
import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

/// The repository stays consistent: generated files are fresh, every probe has its file, schema fragment and
/// page, every shipped check validates with an independent JSON Schema validator, and the invalid corpus is
/// rejected by both that validator and the loader.
@Suite struct RepositoryTests {
    @Test func generatedFilesAreFresh() throws {
        for file in GeneratedFiles.all() {
            let committed = try? String(contentsOfFile: repoRoot + "/" + file.path, encoding: .utf8)
            #expect(committed == file.content, "\(file.path) is stale: run `\(GeneratedFiles.command)`")
        }
    }

    /// The frameworks built into the binary are `governance/` as committed: a changed framework file without
    /// `doctor-dev generate` would validate catalogs against stale control lists.
    @Test func theBuiltInGovernanceIsFresh() throws {
        let generated = try GeneratedFiles.builtInGovernance(root: repoRoot)
        let committed = try? String(contentsOfFile: repoRoot + "/" + GeneratedFiles.builtInGovernancePath, encoding: .utf8)
        #expect(committed == generated, "\(GeneratedFiles.builtInGovernancePath) is stale: run `\(GeneratedFiles.command)`")
        for name in ["nist-800-53.yaml", "pci-dss.yaml", "soc2.yaml", "stig.yaml"] {
            #expect(generated.contains("name: \"\(name)\","), "\(name) is not built in")
            // Byte for byte the file, trailing newline included: the string literal's text is the file's.
            let file = try String(contentsOfFile: repoRoot + "/governance/" + name, encoding: .utf8)
            #expect(generated.contains("text: #\"\"\"\n" + file + "\n\"\"\"#,"), "\(name) is not built in byte for byte")
        }
    }

    /// The module rules that matter most, read from the sources' imports: DoctorCore imports no C module of this
    /// package and no other Doctor module (it reads YAML through `YAMLParsing`); the formatters import no probe
    /// and no C module; the export imports no probe, no C module and no command module; only DoctorYAML links
    /// libyaml.
    @Test func theModuleRulesHold() throws {
        let sources = repoRoot + "/Sources"
        let modules = try FileManager.default.contentsOfDirectory(atPath: sources)
        let cModules = Set(modules.filter { FileManager.default.fileExists(atPath: sources + "/" + $0 + "/module.modulemap") })
        #expect(cModules.contains("CLibYAML") && cModules.contains("CSystemd"))
        let doctorModules = Set(modules.filter { $0.hasPrefix("Doctor") })
        func imports(_ module: String) throws -> Set<String> {
            var found: Set<String> = []
            let directory = sources + "/" + module
            for case let file as String in FileManager.default.enumerator(atPath: directory)! where file.hasSuffix(".swift") {
                let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.split(separator: " ")
                    if let index = words.firstIndex(of: "import"), index + 1 < words.count, words[..<index].allSatisfy({ $0 == "public" || $0 == "@testable" || $0 == "@preconcurrency" }) {
                        found.insert(String(words[index + 1]))
                    }
                }
            }
            return found
        }
        let core = try imports("DoctorCore")
        #expect(core.isDisjoint(with: cModules), "DoctorCore imports \(core.intersection(cModules))")
        #expect(core.isDisjoint(with: doctorModules), "DoctorCore imports \(core.intersection(doctorModules))")
        let formatters = try imports("DoctorFormatters")
        #expect(!formatters.contains("DoctorProbes") && formatters.isDisjoint(with: cModules), "DoctorFormatters imports \(formatters)")
        let export = try imports("DoctorExport")
        #expect(export.contains("NIOHTTP1") && export.contains("NIOHTTP2"), "DoctorExport imports \(export)")
        #expect(export.intersection(doctorModules) == ["DoctorCore", "DoctorFormatters"] && export.isDisjoint(with: cModules), "DoctorExport imports \(export)")
        for module in modules where module != "DoctorYAML" && module != "CLibYAML" {
            #expect(try !imports(module).contains("CLibYAML"), "\(module) imports CLibYAML")
        }
    }

    /// docs/README.md indexes every page of docs/ and docs/formats/ (the probe pages have their own index).
    @Test func theDocsIndexLinksEveryPage() throws {
        let index = try String(contentsOfFile: repoRoot + "/docs/README.md", encoding: .utf8)
        for directory in ["docs", "docs/formats"] {
            let pages = try FileManager.default.contentsOfDirectory(atPath: repoRoot + "/" + directory).filter { $0.hasSuffix(".md") && $0 != "README.md" }
            for page in pages {
                let link = directory == "docs" ? "(\(page))" : "(formats/\(page))"
                #expect(index.contains(link), "docs/README.md does not link \(directory)/\(page)")
            }
        }
        #expect(index.contains("(probes/README.md)"))
    }

    @Test func theCatalogPageIsFresh() async throws {
        let page = try await GeneratedFiles.catalogPage(root: repoRoot)
        let committed = try? String(contentsOfFile: repoRoot + "/" + GeneratedFiles.catalogPagePath, encoding: .utf8)
        #expect(committed == page, "\(GeneratedFiles.catalogPagePath) is stale: run `\(GeneratedFiles.command)`")
        #expect(page.contains(" checks in 6 categories"))
    }

    @Test func everyProbeHasItsFileFragmentAndPage() throws {
        let sources = FileManager.default.enumerator(atPath: repoRoot + "/Sources/DoctorProbes")?.compactMap { $0 as? String } ?? []
        let probeFiles = Set(sources.filter { $0.hasSuffix("Probe.swift") }.map { ($0 as NSString).lastPathComponent })
        let registered = Set(BuiltInProbes.all.map { "\(String(describing: $0)).swift" })
        #expect(probeFiles == registered, "Sources/DoctorProbes/**/*Probe.swift and BuiltInProbes.all differ")
        let names = BuiltInProbes.all.map { String(describing: $0) }
        #expect(names == names.sorted(), "BuiltInProbes.all must stay sorted")
        for probe in BuiltInProbes.all {
            let type = probe.spec.type
            #expect(FileManager.default.fileExists(atPath: repoRoot + "/schemas/probes/\(type).schema.json"), "no schema fragment for \(type)")
            #expect(FileManager.default.fileExists(atPath: repoRoot + "/docs/probes/\(type).md"), "no reference page for \(type)")
        }
    }

    @Test func shippedChecksValidateWithAnIndependentValidator() throws {
        let validator = try tool("check-jsonschema")
        let files = (FileManager.default.enumerator(atPath: repoRoot + "/checks")?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".yaml") }.map { repoRoot + "/checks/" + $0 }
        let checks = files.filter { !$0.hasSuffix("/catalog.yaml") }
        let manifests = files.filter { $0.hasSuffix("/catalog.yaml") }
        #expect(!checks.isEmpty)
        let result = try run(validator, ["--schemafile", repoRoot + "/schemas/check.schema.json"] + checks)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        if !manifests.isEmpty {
            let manifest = try run(validator, ["--schemafile", repoRoot + "/schemas/catalog.schema.json"] + manifests)
            #expect(manifest.status == 0, "\(manifest.stdout)\(manifest.stderr)")
        }
        let loaded = try doctor(["validate", repoRoot + "/checks"])
        #expect(loaded.status == 0, "\(loaded.stderr)")
    }

    /// The probe fragments refer to `schemas/definitions.schema.json` for what their observations accept: an
    /// independent validator, following those relative `$ref`s, accepts each probe's examples through its
    /// fragment, and rejects an operator the definitions do not have.
    @Test func probeFragmentsValidateThroughTheSharedDefinitions() throws {
        let validator = try tool("check-jsonschema")
        let directory = TemporaryDirectory()
        for probe in BuiltInProbes.all {
            let type = probe.spec.type
            let fragment = "file://" + repoRoot + "/schemas/probes/\(type).schema.json#/$defs/"
            let check = #"{"type": "object", "properties": {"probe": {"$ref": "\#(fragment)probe"}, "expect": {"$ref": "\#(fragment)expect"}}}"#
            let schema = directory.write("\(type).json", #"{"$schema": "https://json-schema.org/draft/2020-12/schema", "anyOf": [\#(check), {"type": "array", "items": \#(check)}]}"#)
            let examples = probe.spec.examples.enumerated().map { directory.write("\(type)-\($0.offset).yaml", $0.element.yaml) }
            #expect(!examples.isEmpty, "\(type) has no examples")
            let result = try run(validator, ["--schemafile", schema] + examples)
            #expect(result.status == 0, "\(type): \(result.stdout)\(result.stderr)")
            let observation = try #require(probe.spec.observations.first?.name)
            let wrong = directory.write("\(type)-wrong.yaml", "expect: {\(observation): {no_such_operator: 1}}\n")
            let rejected = try run(validator, ["--schemafile", schema, wrong])
            #expect(rejected.status == 1 && rejected.stdout.contains("Schema validation errors were encountered"), "\(type): \(rejected.stdout)\(rejected.stderr)")
        }
        let fragments = try FileManager.default.contentsOfDirectory(atPath: repoRoot + "/schemas/probes")
        for name in fragments {
            let text = try String(contentsOfFile: repoRoot + "/schemas/probes/" + name, encoding: .utf8)
            #expect(!text.contains("\"value.") && text.contains("../definitions.schema.json#/$defs/value."), "\(name) does not use the shared definitions")
        }
    }

    static func fixtures(_ group: String) -> [String] {
        let directory = repoRoot + "/Tests/DoctorCLITests/Fixtures/" + group
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    /// The `# expect: LINE:COL message` header of a fixture.
    static func expectation(_ path: String) throws -> (String, String) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("# expect: ") })
        let rest = line.dropFirst("# expect: ".count)
        let space = try #require(rest.firstIndex(of: " "))
        return (String(rest[..<space]), String(rest[rest.index(after: space)...]))
    }

    @Test(arguments: fixtures("invalid"))
    func invalidFilesAreRejectedByBothValidators(_ name: String) throws {
        let path = repoRoot + "/Tests/DoctorCLITests/Fixtures/invalid/" + name
        let schema = try run(try tool("check-jsonschema"), ["--schemafile", repoRoot + "/schemas/check.schema.json", path])
        #expect(schema.status != 0, "check-jsonschema accepted \(name)")
        try RepositoryTests.expectLoaderRejects(path, name)
    }

    /// The loader rejects `path` (exit 65) with the issue its `# expect:` header names.
    static func expectLoaderRejects(_ path: String, _ name: String) throws {
        let (position, message) = try RepositoryTests.expectation(path)
        let loader = try doctor(["validate", path])
        #expect(loader.status == 65)
        #expect(loader.stderr.contains("\(path):\(position): error: "), "\(name): \(loader.stderr)")
        #expect(loader.stderr.contains(message), "\(name): \(loader.stderr)")
    }

    /// Mistakes only the loader can see (they span checks or depend on catalog.yaml): the schema accepts
    /// them, by design, and the loader rejects them.
    @Test(arguments: fixtures("loader-only"))
    func crossCheckMistakesAreRejectedByTheLoader(_ name: String) throws {
        try RepositoryTests.expectLoaderRejects(repoRoot + "/Tests/DoctorCLITests/Fixtures/loader-only/" + name, name)
    }

    @Test(arguments: fixtures("valid"))
    func validFilesAreAcceptedByBoth(_ name: String) throws {
        let path = repoRoot + "/Tests/DoctorCLITests/Fixtures/valid/" + name
        let schema = try run(try tool("check-jsonschema"), ["--schemafile", repoRoot + "/schemas/check.schema.json", path])
        #expect(schema.status == 0, "\(schema.stdout)")
        let loader = try doctor(["validate", path])
        #expect(loader.status == 0, "\(loader.stderr)")
    }

    @Test func exitCodesAreDocumented() throws {
        let doc = try String(contentsOfFile: repoRoot + "/docs/exit-codes.md", encoding: .utf8)
        let readme = try String(contentsOfFile: repoRoot + "/README.md", encoding: .utf8)
        for status in ExitStatus.allCases {
            #expect(doc.contains("| \(status.rawValue) |"), "docs/exit-codes.md lacks \(status.rawValue)")
        }
        for code in [0, 1, 2, 3, 64, 65] {
            #expect(readme.contains("| \(code) |"), "README lacks exit code \(code)")
        }
    }
}
