/// Turns the node tree of one catalog file into checks, strictly: every unknown or duplicate key, wrong type,
/// bad enum value or bad duration is an issue with its position. Decoding goes on after an issue so that one
/// pass reports everything.
struct CheckDecoder {
    let file: String
    let registry: ProbeRegistry
    let categories: Set<String>
    let defaultExpectations: DefaultExpectations
    var issues: [CatalogIssue] = []
    /// The frameworks control IDs are checked against; nil: any framework key, IDs unchecked.
    var governance: LazyGovernance?
    private var checkID: String?

    init(file: String, registry: ProbeRegistry, categories: Set<String>, defaultExpectations: DefaultExpectations) {
        self.file = file
        self.registry = registry
        self.categories = categories
        self.defaultExpectations = defaultExpectations
    }

    static let whenKeys = ["env", "env_unset", "env_equals", "path_exists", "path_absent", "reason"]

    mutating func issue(_ mark: SourceMark, _ message: String, hint: String? = nil) {
        issues.append(CatalogIssue(file: file, mark: mark, checkID: checkID, message: message, hint: hint))
    }

    mutating func unknownKey(_ key: YAMLScalar, in place: String, known: [String]) {
        let hint = Suggest.closest(to: key.text, in: known).map { "did you mean '\($0)'?" }
            ?? "expected one of: " + known.joined(separator: ", ")
        issue(key.mark, "unknown key '\(key.text)' in \(place)", hint: hint)
    }

    /// A document holds one check (a mapping) or a list of them.
    mutating func decodeDocument(_ node: YAMLNode) -> [Check] {
        switch node {
        case .mapping:
            return decodeCheck(node).map { [$0] } ?? []
        case .sequence(let items, _):
            return items.compactMap { decodeCheck($0) }
        case .scalar(let scalar) where scalar.isNull:
            return []
        default:
            issue(node.mark, "expected a check (a mapping) or a list of checks, found \(node.kindDescription)")
            return []
        }
    }

    mutating func decodeCheck(_ node: YAMLNode) -> Check? {
        guard case .mapping(let pairs, let mark) = node else {
            checkID = nil
            issue(node.mark, "expected a check (a mapping), found \(node.kindDescription)")
            return nil
        }
        checkID = nil
        if let pair = pairs.first(where: { $0.key.text == "id" }), case .scalar(let scalar) = pair.value, !scalar.isNull {
            checkID = scalar.text
        }
        let issuesBefore = issues.count

        // Each key is decoded by its row of the table; expectations wait for the probe.
        let decodings = CheckField.decodings
        var values = CheckValues()
        values.location = SourceLocation(file: file, mark: mark)
        var afterProbe: [(key: String, node: YAMLNode)] = []
        for pair in pairs {
            switch decodings[pair.key.text] {
            case .now(let decode)?: decode(&self, pair.value, &values)
            case .afterProbe?: afterProbe.append((pair.key.text, pair.value))
            case nil: unknownKey(pair.key, in: "check", known: CheckField.keys)
            }
        }

        for required in CheckField.requiredKeys where !pairs.contains(where: { $0.key.text == required }) {
            issue(mark, "missing required key '\(required)'")
        }

        if let probeType = registry[values.probe.type] {
            let named = CheckDecoder.namedObservations(values.probe, probeType.spec)
            for field in CheckField.afterProbe {
                field.decode(&self, afterProbe.last { $0.key == field.key }?.node, probeType.spec, named, &values)
            }
        }

        // Every required key is present and valid, or an issue says why not.
        guard issues.count == issuesBefore else { return nil }
        return Check(values)
    }

    /// `sources:` a list of `{fact, upstream}` or `{fact, policy}`: exactly one of the two, both strings.
    mutating func decodeSources(_ node: YAMLNode) -> [CheckSource] {
        guard case .sequence(let items, _) = node else {
            issue(node.mark, "sources must be a list of {fact, upstream} or {fact, policy}, found \(node.kindDescription)")
            return []
        }
        var sources: [CheckSource] = []
        for item in items {
            guard case .mapping(let pairs, let mark) = item else {
                issue(item.mark, "a source must be a mapping {fact, upstream} or {fact, policy}, found \(item.kindDescription)")
                continue
            }
            var fact: String?, upstream: String?, policy: String?
            for pair in pairs {
                switch pair.key.text {
                case "fact": fact = string(pair.value, field: "sources.fact")
                case "upstream": upstream = string(pair.value, field: "sources.upstream")
                case "policy": policy = string(pair.value, field: "sources.policy")
                default: unknownKey(pair.key, in: "source", known: ["fact", "upstream", "policy"])
                }
            }
            guard let fact, !fact.isEmpty else {
                issue(mark, "a source needs a 'fact': what the check relies on")
                continue
            }
            switch (upstream, policy) {
            case (nil, nil): issue(mark, "source '\(fact)' needs 'upstream' (file:line that states it) or 'policy' (why the catalog asks it)")
            case (.some, .some): issue(mark, "source '\(fact)' has both 'upstream' and 'policy'; a fact is one or the other")
            default: sources.append(CheckSource(fact: fact, upstream: upstream, policy: policy))
            }
        }
        return sources
    }

    static func isValidID(_ text: String) -> Bool {
        guard let first = text.utf8.first, first >= 97 && first <= 122 else { return false }
        return text.utf8.allSatisfy {
            ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
                || $0 == UInt8(ascii: "_")
        }
    }

    // MARK: - Scalars

    mutating func string(_ node: YAMLNode, field: String) -> String? {
        guard case .scalar(let scalar) = node, !scalar.isNull else {
            issue(node.mark, "\(field) must be a string, found \(node.kindDescription)")
            return nil
        }
        return scalar.text
    }

    mutating func typed(_ node: YAMLNode, _ type: ValueType, field: String, allowVariables: Bool = true) -> Result<Setting, TypedParser.Problem> {
        let result = TypedParser.setting(node, type: type)
        switch result {
        case .success(let setting):
            if !allowVariables && setting.hasVariables {
                issue(node.mark, "\(field) cannot use variables")
                return .failure(.init("variables"))
            }
        case .failure(let problem):
            issue(problem.mark ?? node.mark, "\(field): \(problem.message)", hint: problem.hint)
        }
        return result
    }

    // MARK: - Governance

    mutating func decodeGovernance(_ node: YAMLNode) -> [(framework: String, controls: [String])] {
        guard case .mapping(let pairs, _) = node else {
            issue(node.mark, "governance must be a mapping of framework to control IDs, found \(node.kindDescription)")
            return []
        }
        var out: [(framework: String, controls: [String])] = []
        for pair in pairs {
            guard let framework = frameworkKey(pair.key, in: "governance") else { continue }
            guard case .sequence(let items, let mark) = pair.value else {
                issue(pair.value.mark, "governance.\(pair.key.text): expected a list of control IDs, found \(pair.value.kindDescription)")
                continue
            }
            var controls: [String] = []
            for item in items {
                guard case .scalar(let scalar) = item, !scalar.isNull, !scalar.text.isEmpty else {
                    issue(item.mark, "governance.\(pair.key.text): a control ID is a string, found \(item.kindDescription)")
                    continue
                }
                if let known = governance?.value?.framework(framework), known.control(scalar.text) == nil {
                    let hint = Suggest.closest(to: scalar.text, in: known.controls.lazy.map(\.id), limit: 1).map { "did you mean '\($0)'?" }
                        ?? "`doctor governance show \(known.id)` lists its \(known.controls.count) controls"
                    issue(scalar.mark, "unknown \(known.id) control '\(scalar.text)' in governance (\(known.name) \(known.version))", hint: hint)
                    continue
                }
                controls.append(scalar.text)
            }
            if items.isEmpty { issue(mark, "governance.\(pair.key.text) lists no control IDs") }
            if let index = out.firstIndex(where: { $0.framework == framework }) {
                issue(pair.key.mark, "governance names \(framework) twice (as '\(pair.key.text)' and an alias or id of the same framework)")
                out[index].controls += controls
            } else {
                out.append((framework, controls))
            }
        }
        return out
    }

    /// The framework id a `governance` or `governance_expect` key names (its id or an alias); nil, with an
    /// issue at the key, when no framework has that name.
    mutating func frameworkKey(_ key: YAMLScalar, in place: String) -> String? {
        guard let lazy = self.governance else {
            let name = key.text.lowercased()
            if !name.isEmpty, name.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }) { return name }
            issue(key.mark, "framework key '\(key.text)' in \(place) must be lowercase letters, digits and '-'")
            return nil
        }
        // Frameworks that did not load are reported once, by the loader.
        guard let governance = lazy.value else { return key.text.lowercased() }
        if let framework = governance.framework(key.text) { return framework.id }
        let known = governance.frameworks.map(\.id)
        let hint = Suggest.closest(to: key.text, in: known + governance.frameworks.flatMap(\.aliases)).map { "did you mean '\($0)'?" }
            ?? "expected one of: " + known.joined(separator: ", ") + "; a framework file in a governance directory adds one"
        issue(key.mark, "unknown framework '\(key.text)' in \(place)", hint: hint)
        return nil
    }

    /// `governance_expect: {pci-dss: {retention_days: {ge: 365}}}`: expectations added when the run selects the
    /// framework. The check must be tagged with that framework, or the selection could never reach it.
    mutating func decodeGovernanceExpect(
        _ node: YAMLNode, spec: ProbeSpec, named: [String], tagged: [(framework: String, controls: [String])]
    ) -> [(framework: String, expectations: [Expectation])] {
        guard case .mapping(let pairs, _) = node else {
            issue(node.mark, "governance_expect must be a mapping of framework to expectations, found \(node.kindDescription)")
            return []
        }
        var out: [(framework: String, expectations: [Expectation])] = []
        for pair in pairs {
            guard let framework = frameworkKey(pair.key, in: "governance_expect") else { continue }
            guard tagged.contains(where: { $0.framework == framework }) else {
                issue(pair.key.mark, "governance_expect.\(pair.key.text): the check has no \(pair.key.text) controls in 'governance'",
                    hint: "tag the check with the \(pair.key.text) controls these expectations give evidence for")
                continue
            }
            let expectations = decodeExpect(pair.value, spec: spec, named: named)
            if !expectations.isEmpty { out.append((framework, expectations)) }
        }
        return out
    }

    // MARK: - Probe

    mutating func decodeProbe(_ node: YAMLNode) -> ProbeInvocation? {
        guard case .mapping(let pairs, let mark) = node else {
            issue(node.mark, "probe must be a mapping with a 'type' and its parameters, found \(node.kindDescription)")
            return nil
        }
        guard let typePair = pairs.first(where: { $0.key.text == "type" }) else {
            issue(mark, "probe has no 'type'", hint: "one of: " + registry.types.keys.sorted().joined(separator: ", "))
            return nil
        }
        guard let typeName = string(typePair.value, field: "probe.type") else { return nil }
        guard let probeType = registry[typeName] else {
            let hint = Suggest.closest(to: typeName, in: registry.types.keys).map { "did you mean '\($0)'?" }
                ?? "known probe types: " + registry.types.keys.sorted().joined(separator: ", ")
            issue(typePair.value.mark, "unknown probe type '\(typeName)'", hint: hint)
            return nil
        }
        let spec = probeType.spec
        let issuesBefore = issues.count
        var parameters: [(name: String, value: Setting)] = []
        var given: Set<String> = []
        for pair in pairs where pair.key.text != "type" {
            guard let parameter = spec.parameter(pair.key.text) else {
                unknownKey(pair.key, in: "the parameters of probe '\(typeName)'", known: spec.parameters.map(\.name))
                continue
            }
            given.insert(parameter.name)
            if case .success(let setting) = typed(pair.value, parameter.type, field: "probe.\(parameter.name)") {
                if case .value(let value) = setting, CheckDecoder.holdsInfinity(value, parameter.type) {
                    issue(pair.value.mark, "probe.\(parameter.name) must be finite: a probe's durations and sizes drive clocks and buffers (at most \(DurationText.format(seconds: DurationText.longest)) for a duration)")
                    continue
                }
                parameters.append((parameter.name, setting))
            }
        }
        for parameter in spec.parameters where parameter.required && !given.contains(parameter.name) {
            issue(mark, "probe '\(typeName)' needs parameter '\(parameter.name)'")
        }
        for group in spec.exactlyOneOf {
            let present = group.filter { given.contains($0) }
            if present.count != 1 {
                let names = group.map { "'\($0)'" }.joined(separator: ", ")
                let found = present.isEmpty ? "none" : present.map { "'\($0)'" }.joined(separator: " and ")
                issue(mark, "probe '\(typeName)' takes exactly one of \(names); found \(found)")
            }
        }
        // What the probe itself refuses (a D-Bus method that is not read-only, a limit out of range) is a
        // catalog error too, when no parameter waits for a variable: build it once now, as the run will.
        if issues.count == issuesBefore {
            var constants: [String: Value] = [:]
            for (name, setting) in parameters {
                guard case .value(let value) = setting else { return ProbeInvocation(type: typeName, parameters: parameters, mark: mark) }
                constants[name] = value
            }
            do throws(ProbeError) {
                _ = try probeType.init(parameters: Parameters(constants, spec: probeType.spec))
            } catch {
                issue(mark, "probe '\(typeName)': \(error.message)")
            }
        }
        return ProbeInvocation(type: typeName, parameters: parameters, mark: mark)
    }

    // MARK: - Expectations

    /// The names a check adds to its probe's observations through the probe's `namedObservations` parameter.
    static func namedObservations(_ probe: ProbeInvocation, _ spec: ProbeSpec) -> [String] {
        guard let parameter = spec.namedObservations,
            case .value(.list(let names))? = probe.parameters.first(where: { $0.name == parameter })?.value
        else { return [] }
        return names.compactMap(\.asString)
    }

    mutating func decodeExpect(_ node: YAMLNode, spec: ProbeSpec, named: [String] = []) -> [Expectation] {
        guard case .mapping(let pairs, _) = node else {
            issue(node.mark, "expect must be a mapping of observation to expected value, found \(node.kindDescription)")
            return []
        }
        var out: [Expectation] = []
        for pair in pairs {
            guard let observation = spec.observation(pair.key.text)
                ?? (named.contains(pair.key.text) ? ObservationSpec(pair.key.text, .dynamic, "") : nil)
            else {
                var hint = ""
                if let parameter = spec.namedObservations {
                    hint = " (name it in the probe's '\(parameter)' to expect on it)"
                }
                unknownKey(pair.key, in: "the expectations of probe '\(spec.type)'\(hint)", known: spec.observations.map(\.name) + named)
                continue
            }
            if let expectation = decodeExpectation(pair.value, observation: observation, mark: pair.key.mark) {
                out.append(expectation)
            }
        }
        return out
    }

    mutating func decodeExpectation(_ node: YAMLNode, observation: ObservationSpec, mark: SourceMark) -> Expectation? {
        let field = "expect.\(observation.name)"
        switch node {
        case .mapping(let pairs, _):
            var must: [Condition] = [], warnIf: [Condition] = [], failIf: [Condition] = []
            for pair in pairs {
                switch pair.key.text {
                case "warn_if", "fail_if":
                    guard case .mapping(let inner, _) = pair.value else {
                        issue(pair.value.mark, "\(field).\(pair.key.text) must be a mapping of operators, e.g. {gt: 250ms}")
                        continue
                    }
                    let conditions = inner.compactMap { condition($0, observation: observation, field: "\(field).\(pair.key.text)", nested: true) }
                    if pair.key.text == "warn_if" { warnIf += conditions } else { failIf += conditions }
                default:
                    if let parsed = condition(pair, observation: observation, field: field, nested: false) { must.append(parsed) }
                }
            }
            if pairs.isEmpty {
                issue(node.mark, "\(field) has no conditions")
                return nil
            }
            if must.isEmpty && warnIf.isEmpty && failIf.isEmpty { return nil }
            return Expectation(observation: observation.name, type: observation.type, must: must, warnIf: warnIf, failIf: failIf, mark: mark)
        case .sequence:
            // A list for a single-valued observation means "one of"; for a list observation it is the whole list.
            let op: Operator
            if case .list = observation.type { op = .eq } else { op = .in }
            guard let operandType = op.operandType(for: observation.type),
                case .success(let operand) = typed(node, operandType, field: field)
            else { return nil }
            return Expectation(observation: observation.name, type: observation.type, must: [Condition(op: op, operand: operand, mark: node.mark)], mark: mark)
        case .scalar:
            guard case .success(let operand) = typed(node, observation.type, field: field) else { return nil }
            return Expectation(observation: observation.name, type: observation.type, must: [Condition(op: .eq, operand: operand, mark: node.mark)], mark: mark)
        }
    }

    mutating func condition(_ pair: YAMLPair, observation: ObservationSpec, field: String, nested: Bool) -> Condition? {
        guard let op = Operator(rawValue: pair.key.text) else {
            var known = Operator.allCases.map(\.rawValue)
            if !nested { known += ["warn_if", "fail_if"] }
            unknownKey(pair.key, in: field, known: known)
            return nil
        }
        guard let operandType = op.operandType(for: observation.type) else {
            issue(pair.key.mark, "operator '\(op.rawValue)' does not apply to \(observation.name) (\(observation.type.phrase))")
            return nil
        }
        guard case .success(let operand) = typed(pair.value, operandType, field: "\(field).\(op.rawValue)") else { return nil }
        // A value typed as it comes is a bare number when it is one: a size or a duration as its threshold
        // would be a string, which orders with no number (the comparison could never hold either way).
        if observation.type == .dynamic, [.lt, .le, .gt, .ge].contains(op), case .value(.string(let text)) = operand,
            let (kind, number) = CheckDecoder.unitQuantity(text)
        {
            issue(pair.value.mark, "\(field).\(op.rawValue): '\(text)' is \(kind), but \(observation.name) is observed as a bare number (in the unit the probe reports), so a threshold with a unit can never compare",
                hint: "write the number in the observation's unit, e.g. \(number)")
            return nil
        }
        var regex: CompiledRegex?
        if operandType == .regex, case .value(.string(let pattern)) = operand {
            regex = try? CompiledRegex(pattern)
        }
        return Condition(op: op, operand: operand, regex: regex, mark: pair.value.mark)
    }

    /// True when a parameter's value is `infinity` (a duration or a size without limit).
    static func holdsInfinity(_ value: Value, _ type: ValueType) -> Bool {
        switch (type, value) {
        case (.duration, .double(let seconds)): return !seconds.isFinite
        case (.byteSize, .int(let bytes)): return bytes == ByteSize.infinity
        case (.list(let element), .list(let items)), (.oneOrMany(let element), .list(let items)): return items.contains { holdsInfinity($0, element) }
        default: return false
        }
    }

    /// "a size" and its bytes, or "a duration" and its seconds, for a text with a unit (`1G`, `250ms`); nil
    /// for anything else, plain numbers included.
    static func unitQuantity(_ text: String) -> (String, String)? {
        guard !text.isEmpty, Double(text) == nil, text != "infinity" else { return nil }
        if let bytes = ByteSize.bytes(text) { return ("a size", "\(bytes) (\(text) in bytes)") }
        if let seconds = DurationText.seconds(text) { return ("a duration", "\(Value.formatDouble(seconds)) (\(text) in seconds)") }
        return nil
    }

    // MARK: - When

    mutating func decodeWhen(_ node: YAMLNode) -> ([WhenCondition], String?) {
        guard case .mapping(let pairs, _) = node else {
            issue(node.mark, "when must be a mapping of conditions, found \(node.kindDescription)")
            return ([], nil)
        }
        var out: [WhenCondition] = []
        var reason: String?
        for pair in pairs {
            let field = "when.\(pair.key.text)"
            switch pair.key.text {
            case "env", "env_unset":
                if case .success(.value(let names)) = typed(pair.value, .oneOrMany(.string), field: field, allowVariables: false) {
                    for name in names.asList?.compactMap(\.asString) ?? [] {
                        out.append(pair.key.text == "env" ? .envSet(name) : .envUnset(name))
                    }
                }
            case "env_equals":
                guard case .mapping(let inner, _) = pair.value else {
                    issue(pair.value.mark, "\(field) must be a mapping of variable to value")
                    continue
                }
                for item in inner {
                    if case .success(let setting) = typed(item.value, .string, field: "\(field).\(item.key.text)") {
                        out.append(.envEquals(item.key.text, setting))
                    }
                }
            case "path_exists", "path_absent":
                if case .success(let setting) = typed(pair.value, .string, field: field) {
                    out.append(pair.key.text == "path_exists" ? .pathExists(setting) : .pathAbsent(setting))
                }
            case "reason": reason = string(pair.value, field: field)
            default: unknownKey(pair.key, in: "when", known: CheckDecoder.whenKeys)
            }
        }
        return (out, reason)
    }
}
