import DoctorCore
import DoctorProbes
import DoctorTestSupport
import DoctorYAML
import Testing

/// What every built-in probe declares is consistent, and what it observes when run is what it declares.
@Suite struct ProbeDeclarationTests {
    @Test(arguments: BuiltInProbes.all.map { $0.spec.type })
    func namesAreDeclaredOnce(_ type: String) throws {
        let spec = try #require(BuiltInProbes.registry[type]).spec
        let parameters = spec.parameters.map(\.name), observations = spec.observations.map(\.name)
        #expect(Set(parameters).count == parameters.count, "\(type): a parameter is declared twice: \(parameters)")
        #expect(Set(observations).count == observations.count, "\(type): an observation is declared twice: \(observations)")
        #expect(!observations.isEmpty, "\(type) observes nothing")
        for group in spec.exactlyOneOf {
            #expect(group.count >= 2 && group.allSatisfy(parameters.contains), "\(type): exactly one of \(group)")
        }
        if let named = spec.namedObservations {
            #expect(spec.parameter(named)?.type == .list(.string), "\(type): namedObservations '\(named)' is not a list of names")
        }
        for observation in spec.observations {
            #expect(!observation.operators.isEmpty, "\(type): nothing can be expected of \(observation.name)")
        }
    }

    @Test func anUndeclaredOrMistypedObservationIsFound() async throws {
        let spec = try #require(BuiltInProbes.registry["file"]).spec
        let fixture = TemporaryDirectory()
        fixture.write("checks.yaml", fileCheck("c", "{type: file, path: /}"), mode: 0o600)
        let check = try #require(try await CatalogLoader(registry: BuiltInProbes.registry).load(paths: [fixture.path + "/checks.yaml"]).checks.first)
        let values: [ObservedValue] = [
            ObservedValue(name: "exists", value: .bool(true), type: nil), ObservedValue(name: "mode", value: .string("0600"), type: nil),
            ObservedValue(name: "exsits", value: .bool(true), type: nil),
        ]
        let problems = ObservationAudit.problems(check, spec, values)
        #expect(problems == ["file check c: mode is \"0600\", not an octal mode such as \"0600\"", "file check c observes 'exsits', which its spec does not declare"])
    }
}

/// Checks what a probe observed against its spec: every name is declared, or is one the check chose
/// (`namedObservations`, performance data), and every declared value has its declared type. `runChecks` applies
/// it to every result, so every probe test checks what its probe emits.
enum ObservationAudit {
    static func problems(_ results: [CheckResult]) -> [String] {
        results.flatMap { result -> [String] in
            guard let spec = BuiltInProbes.registry[result.check.probe.type]?.spec else { return ["\(result.check.id): unknown probe"] }
            return result.observed.flatMap { problems(result.check, spec, $0.values) }
        }
    }

    static func problems(_ check: Check, _ spec: ProbeSpec, _ values: [ObservedValue]) -> [String] {
        let named = namedObservations(check, spec)
        var out: [String] = []
        for observed in values {
            if let declared = spec.observation(observed.name) {
                if !conforms(observed.value, declared.type) {
                    out.append("\(spec.type) check \(check.id): \(observed.name) is \(observed.value.evidence()), not \(declared.type.phrase)")
                }
            } else if !named.contains(observed.name) && !isPerformanceData(observed.name, spec.performanceData)
                && !reportsProgramObservations(check)
            {
                out.append("\(spec.type) check \(check.id) observes '\(observed.name)', which its spec does not declare")
            }
        }
        return out
    }

    /// The names the check gives in its probe's `namedObservations` parameter.
    static func namedObservations(_ check: Check, _ spec: ProbeSpec) -> [String] {
        guard let parameter = spec.namedObservations,
            let setting = check.probe.parameters.first(where: { $0.name == parameter })?.value
        else { return [] }
        switch setting {
        case .value(let value): return value.asList?.compactMap(\.asString) ?? []
        case .list(let items, _): return items.compactMap { if case .value(.string(let name)) = $0 { name } else { nil } }
        default: return []
        }
    }

    /// An `exec` check with `protocol: json` reports every observation the program prints (as evidence;
    /// `expect` can use the ones `observe` names): those names are the program's, not the spec's.
    static func reportsProgramObservations(_ check: Check) -> Bool {
        guard check.probe.type == "exec", case .value(.string("json"))? = check.probe.parameters.first(where: { $0.name == "protocol" })?.value
        else { return false }
        return true
    }

    static func isPerformanceData(_ name: String, _ performance: PerformanceData?) -> Bool {
        guard let performance else { return false }
        return name.hasPrefix(performance.prefix) && name.count > performance.prefix.count
    }

    /// Whether `value` is what an observation of `type` holds.
    static func conforms(_ value: Value, _ type: ValueType) -> Bool {
        switch (type, value) {
        case (.dynamic, _): true
        case (.string, .string), (.regex, .string), (.bool, .bool), (.integer, .int), (.number, .int), (.number, .double): true
        case (.duration, .double), (.duration, .int), (.byteSize, .int), (.fileMode, .int), (.principal, .principal): true
        case (.enumeration(let words), .string(let word)): words.contains(word)
        case (.list(let element), .list(let items)): items.allSatisfy { conforms($0, element) }
        case (.oneOrMany(let element), .list(let items)): items.allSatisfy { conforms($0, element) }
        case (.oneOrMany(let element), _): conforms(value, element)
        case (.map(let element), .list(let pairs)): pairs.allSatisfy { ($0.asList?.count == 2) && conforms($0.asList![1], element) }
        default: false
        }
    }
}
