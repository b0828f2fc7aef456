import DoctorCore
import DoctorProbes
import DoctorYAML

/// A probe that reads a file, run as `doctor run` runs it on the input written as that file: the check (with
/// FILE for the file's path) is loaded once, and every input is one run of it under a deadline.
struct ProbeFileTarget: Sendable {
    let file: String
    let catalog: Catalog
    let variables: Variables

    static let toml = ProbeFileTarget(name: "toml", check: """
        probe: {type: toml, paths: ["FILE"], select: [global.default_profile, "profiles.default.vaults", launcher.key_bindings]}
        expect: {valid: true}
        """)
    static let auditChain = ProbeFileTarget(name: "audit-chain", check: """
        probe: {type: audit-chain, path: "FILE", max_line: 64K}
        expect: {intact: true}
        """)

    init(name: String, check: String) {
        let directory = FuzzFiles.directory(name)
        file = directory + "/input"
        let lines = check.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n").replacing("FILE", with: file)
        let yaml = "- id: fuzz.\(name)\n  title: fuzz\n  category: configuration\n  severity: low\n\(lines)\n"
        FuzzFiles.write(Array(yaml.utf8), to: directory + "/checks.yaml")
        let opener = CatalogOpener(registry: BuiltInProbes.registry)
        let loaded = blocking { try? await opener.open(paths: [directory + "/checks.yaml"]) }
        guard let loaded, let variables = try? opener.variables() else { fatalError("doctor-fuzz: the \(name) target's own check does not load:\n\(yaml)") }
        catalog = loaded
        self.variables = variables
    }

    func run(_ bytes: [UInt8]) {
        FuzzFiles.write(bytes, to: file)
        let (catalog, variables) = (catalog, variables)
        blocking {
            let options = RunOptions(jobs: 1, defaultTimeout: 2, deadline: 3, variables: variables)
            _ = await Runner(registry: BuiltInProbes.registry, options: options).run(catalog.checks.map { (check: $0, asRequirement: false) })
        }
    }
}
