import DoctorCore
import DoctorProbes
import DoctorServer
import DoctorYAML

/// `doctor serve`'s request handling below the HTTP codec (SwiftNIO's, fuzzed by its own project): the first
/// byte picks the method, the rest is the request target, answered by the endpoints over one real run of a
/// small catalog (a passing and a failing check). Bad targets and queries must be a 4xx, never a crash.
enum ServeTarget {
    static let methods = ["GET", "HEAD", "POST", "PUT", "get"]
    static let endpoints: Endpoints = {
        let directory = FuzzFiles.directory("serve")
        let yaml = """
            - id: fuzz.serve.home
              title: HOME is set
              category: configuration
              severity: low
              governance: {pci-dss: ["8.3.1"]}
              probe: {type: env, name: HOME}
              expect: {set: true}
            - id: fuzz.serve.unset
              title: An unset variable
              category: ipc-connectivity
              severity: high
              probe: {type: env, name: DOCTOR_FUZZ_UNSET}
              expect: {set: true}

            """
        FuzzFiles.write(Array(yaml.utf8), to: directory + "/checks.yaml")
        let opener = CatalogOpener(registry: BuiltInProbes.registry)
        guard let catalog = blocking({ try? await opener.open(paths: [directory]) }), let variables = try? opener.variables() else {
            fatalError("doctor-fuzz: the serve target's own catalog does not load")
        }
        let outcome = blocking {
            await Runner(registry: BuiltInProbes.registry, options: RunOptions(jobs: 1, variables: variables)).run(catalog.checks.map { (check: $0, asRequirement: false) })
        }
        let report = RunReport(
            toolVersion: DoctorVersion.current, catalogDigest: catalog.digest, host: "fuzz", startedAt: 1_795_000_000, finishedAt: 1_795_000_001,
            selection: Selection(), results: outcome.results)
        let hub = EventHub()
        let scheduler = RunScheduler(checkCount: catalog.checks.count, minimumAge: 0, hub: hub) { _ in report }
        let vocabulary = ResultFilter.Vocabulary(categories: catalog.categories.map(\.id), frameworks: ["pci-dss": "pci-dss", "pci": "pci-dss"])
        return Endpoints(scheduler: scheduler, hub: hub, vocabulary: vocabulary, metricPrefix: "pds")
    }()

    static func run(_ bytes: [UInt8]) {
        let method = methods[Int(bytes.first ?? 0) % methods.count]
        let target = String(decoding: bytes.dropFirst(), as: UTF8.self)
        let endpoints = endpoints
        blocking { _ = await endpoints.answer(method: method, target: target) }
    }
}
