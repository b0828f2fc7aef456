import DoctorCore
import DoctorProbes
import DoctorYAML

/// A catalog check file (or, when the input starts with `# catalog.yaml`, the catalog's manifest beside one
/// fixed check), opened as `doctor` opens it. A valid catalog is then run, as far as its checks use probes that
/// only read (files, environment, kernel settings): `validate` calling a catalog valid and `run` then trapping
/// is the kind of case this looks for. Errors are fine; crashes, hangs and memory blow-ups are not.
enum CatalogTarget {
    static let directory = FuzzFiles.directory("catalog")
    static let manifestMark = Array("# catalog.yaml\n".utf8)
    static let readOnlyProbes: Set<String> = ["file", "env", "json", "toml", "audit-chain", "kernel"]
    static let fixedCheck = Array("""
        - id: fuzz.fixed
          title: The fixed check beside a fuzzed manifest
          category: configuration
          severity: low
          probe: {type: env, name: HOME}
          expect: {set: true}

        """.utf8)

    static func run(_ bytes: [UInt8]) {
        if bytes.starts(with: manifestMark) {
            FuzzFiles.write(bytes, to: directory + "/catalog.yaml")
            FuzzFiles.write(fixedCheck, to: directory + "/checks.yaml")
        } else {
            FuzzFiles.remove(directory + "/catalog.yaml")
            FuzzFiles.write(bytes, to: directory + "/checks.yaml")
        }
        let path = directory
        blocking {
            let registry = BuiltInProbes.registry
            let opener = CatalogOpener(registry: registry)
            guard let catalog = try? await opener.open(paths: [path]), let variables = try? opener.variables() else { return }
            let plan = catalog.checks.filter { readOnlyProbes.contains($0.probe.type) }.map { (check: $0, asRequirement: false) }
            let options = RunOptions(jobs: 2, defaultTimeout: min(catalog.defaultTimeout ?? 1, 1), deadline: 2, variables: variables)
            _ = await Runner(registry: registry, options: options).run(plan)
        }
    }
}
