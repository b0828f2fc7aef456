/// The expectations each probe type applies when a check has no `expect` block, decoded once per load.
struct DefaultExpectations {
    private var byType: [String: [Expectation]] = [:]

    init(registry: ProbeRegistry, yaml: any YAMLParsing) {
        for (name, probe) in registry.types {
            guard let text = probe.spec.defaultExpect else { continue }
            let (documents, problems) = yaml.read(text)
            precondition(problems.isEmpty && documents.count == 1, "bad defaultExpect for probe '\(name)'")
            var decoder = CheckDecoder(file: "<\(name) defaults>", registry: registry, categories: [], defaultExpectations: DefaultExpectations())
            byType[name] = decoder.decodeExpect(documents[0], spec: probe.spec)
            precondition(decoder.issues.isEmpty, "bad defaultExpect for probe '\(name)': \(decoder.issues)")
        }
    }

    private init() {}

    subscript(type: String) -> [Expectation]? { byType[type] }
}
