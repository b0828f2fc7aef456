// The table of a check's fields (an extension of CheckField, kept apart from the type: it is the grammar).

extension CheckField {
    /// Every field of a check, in the order a check file usually gives them (the order of the schema's
    /// properties, of the catalog cache's bytes and of the decoder's list of keys).
    public static let all: [CheckField] = [
        CheckField(
            "id", "Unique across the catalog and stable.", required: true, properties: ["id"],
            schema: { _ in .object([("type", "string"), ("pattern", .string(SchemaGenerator.idPattern))]) },
            decoding: .now { d, node, values in
                guard values.id.isEmpty, let text = d.string(node, field: "id") else { return }
                if CheckDecoder.isValidID(text) {
                    values.id = text
                } else {
                    d.issue(node.mark, "invalid check id '\(text)'", hint: "use lowercase letters, digits, '-' and '.', starting with a letter")
                }
            },
            codec: .value({ $0.id }, { $0.id = $1 }),
            explain: [.block(.heading) { check, _ in check.id }]),
        CheckField(
            "title", "One line: what the check verifies.", required: true, properties: ["title"],
            schema: { _ in SchemaGenerator.type(.string) },
            decoding: .now { d, node, values in values.title = d.string(node, field: "title") ?? values.title },
            codec: .value({ $0.title }, { $0.title = $1 }),
            explain: [.block(.heading) { check, _ in " — \(check.title)\n\n" }]),
        CheckField(
            "description", "What the check looks at.", properties: ["description"],
            schema: { _ in SchemaGenerator.type(.string) },
            decoding: .now { d, node, values in values.description = d.string(node, field: "description") },
            codec: .value({ $0.description }, { $0.description = $1 }),
            explain: [.block(.text) { check, _ in check.description.map { "\nDescription\n" + indent($0) + "\n" } }]),
        CheckField(
            "rationale", "Why it matters.", properties: ["rationale"],
            schema: { _ in SchemaGenerator.type(.string) },
            decoding: .now { d, node, values in values.rationale = d.string(node, field: "rationale") },
            codec: .value({ $0.rationale }, { $0.rationale = $1 }),
            explain: [.block(.text) { check, _ in check.rationale.map { "\nRationale\n" + indent($0) + "\n" } }]),
        CheckField(
            "category", "One of the six built-in categories, or one the catalog declares in catalog.yaml.", required: true,
            properties: ["category"],
            schema: { _ in
                .object([("anyOf", [
                    .object([("enum", .array(BuiltInCategory.allCases.map { .string($0.rawValue) }))]),
                    .object([("type", "string"), ("pattern", .string(SchemaGenerator.idPattern))]),
                ])])
            },
            decoding: .now { d, node, values in
                guard let text = d.string(node, field: "category") else { return }
                if d.categories.contains(text) {
                    values.category = text
                } else {
                    let hint = Suggest.closest(to: text, in: d.categories).map { "did you mean '\($0)'?" }
                        ?? "declare it in catalog.yaml, or use one of: " + d.categories.sorted().joined(separator: ", ")
                    d.issue(node.mark, "unknown category '\(text)'", hint: hint)
                }
            },
            codec: .value({ $0.category }, { $0.category = $1 }),
            explain: [.line(.classification, "category") { check, context in
                context.catalog.category(check.category).map { "\(check.category) (\($0.title))" } ?? check.category
            }]),
        CheckField(
            "severity", "How much a result other than pass matters.", required: true, properties: ["severity"],
            schema: { _ in .object([("enum", .array(Severity.allCases.map { .string($0.rawValue) }))]) },
            decoding: .now { d, node, values in
                guard let text = d.string(node, field: "severity") else { return }
                if let parsed = Severity(rawValue: text) {
                    values.severity = parsed
                } else {
                    let words = Severity.allCases.map(\.rawValue)
                    let hint = Suggest.closest(to: text, in: words).map { "did you mean '\($0)'?" } ?? "expected one of: " + words.joined(separator: ", ")
                    d.issue(node.mark, "invalid severity '\(text)'", hint: hint)
                }
            },
            codec: .value({ $0.severity }, { $0.severity = $1 }),
            explain: [.line(.classification, "severity") { check, _ in check.severity.rawValue }]),
        CheckField(
            "governance",
            "Framework (stig, pci-dss, soc2, nist-800-53, an alias, or one a governance directory adds) to its control IDs; doctor validate checks both.",
            properties: ["governance"],
            schema: { _ in
                .object([
                    ("type", "object"), ("propertyNames", SchemaGenerator.frameworkKey),
                    ("additionalProperties", .object([("type", "array"), ("minItems", 1), ("items", .object([("type", "string")]))])),
                ])
            },
            decoding: .now { d, node, values in values.governance = d.decodeGovernance(node) },
            codec: .pairs({ $0.governance }, { $0.governance = $1 }),
            explain: [
                .line(.classification, "governance") { check, _ in
                    check.governance.map { "\($0.framework): \($0.controls.joined(separator: ", "))" }.joined(separator: "; ")
                },
                .block(.evidence) { check, context in
                    if check.governance.isEmpty { return nil }
                    var out = "\nGives evidence for\n"
                    for (frameworkID, controls) in check.governance {
                        let framework = context.governance.framework(frameworkID)
                        for id in controls {
                            guard let control = framework?.control(id) else {
                                out += "  \(frameworkID) \(id)\n"
                                continue
                            }
                            let extra = [control.category, control.stigID].compactMap { $0 }.joined(separator: ", ")
                            out += "  \(framework?.name ?? frameworkID) \(id)\(extra.isEmpty ? "" : " [\(extra)]"): \(control.title)\n"
                        }
                    }
                    return out
                },
            ]),
        CheckField(
            "probe", "What observes: `type` names the probe, the other keys are its parameters (see the probe's page).", required: true,
            properties: ["probe"],
            schema: { generator in
                .object([
                    ("type", "object"), ("required", ["type"]),
                    ("properties", .object([("type", .object([("enum", .array(generator.registry.sorted.map { .string($0.spec.type) }))]))])),
                    ("oneOf", .array(generator.registry.sorted.map { generator.ref("probe.\($0.spec.type)") })),
                ])
            },
            decoding: .now { d, node, values in
                if let probe = d.decodeProbe(node) { values.probe = probe }
            },
            codec: .value({ $0.probe }, { $0.probe = $1 }),
            explain: [.block(.probe) { check, context in
                let spec = context.probes[check.probe.type]?.spec
                var out = "\nProbe: \(check.probe.type)" + (spec.map { " — \($0.summary)" } ?? "") + "\n"
                for parameter in check.probe.parameters {
                    out += "  \(parameter.name): \(parameter.value.text(as: spec?.parameter(parameter.name)?.type))\n"
                }
                return out
            }]),
        CheckField(
            "expect", "Expectations on the probe's observations; see the probe's page.", properties: ["expectations"],
            schema: { _ in .object([("type", "object")]) },
            decoding: .afterProbe { d, node, spec, named, values in
                if let node {
                    values.expectations = d.decodeExpect(node, spec: spec, named: named)
                } else if let defaults = d.defaultExpectations[values.probe.type] {
                    values.expectations = defaults
                }
            },
            codec: .value({ $0.expectations }, { $0.expectations = $1 }),
            explain: [.block(.expectations) { check, _ in
                var out = "\nExpectations\n"
                for expectation in check.expectations { out += "  \(expectation.observation) \(expectation.summary)\n" }
                if check.expectations.isEmpty { out += "  (none: any observation passes)\n" }
                return out
            }]),
        CheckField(
            "governance_expect",
            "Expectations added when the run selects the framework (--governance); the check must carry that framework's controls.",
            properties: ["governanceExpectations"],
            schema: { _ in
                .object([("type", "object"), ("propertyNames", SchemaGenerator.frameworkKey), ("additionalProperties", .object([("type", "object")]))])
            },
            decoding: .afterProbe { d, node, spec, named, values in
                guard let node else { return }
                values.governanceExpectations = d.decodeGovernanceExpect(node, spec: spec, named: named, tagged: values.governance)
            },
            codec: .pairs({ $0.governanceExpectations }, { $0.governanceExpectations = $1 }),
            explain: [.block(.expectations) { check, _ in
                var out = ""
                for (framework, expectations) in check.governanceExpectations {
                    out += "  with --governance \(framework), also:\n"
                    for expectation in expectations { out += "    \(expectation.observation) \(expectation.summary)\n" }
                }
                return out
            }]),
        CheckField(
            "remediation", "How to fix what the check finds.", properties: ["remediation"],
            schema: { _ in SchemaGenerator.type(.string) },
            decoding: .now { d, node, values in values.remediation = d.string(node, field: "remediation") },
            codec: .value({ $0.remediation }, { $0.remediation = $1 }),
            explain: [.block(.remediation) { check, _ in check.remediation.map { "\nRemediation\n" + indent($0) + "\n" } }]),
        CheckField(
            "timeout", "How long the probe may take (a finite duration); default: the catalog's, else 5s.", properties: ["timeout"],
            schema: { _ in SchemaGenerator.finiteDuration },
            decoding: .now { d, node, values in
                guard case .success(.value(let seconds)) = d.typed(node, .duration, field: "timeout") else { return }
                if let seconds = seconds.asDouble, seconds == .infinity {
                    d.issue(node.mark, "timeout must be a finite duration (at most \(DurationText.format(seconds: DurationText.longest)))",
                        hint: "a check that may never end needs no timeout: leave it out for the catalog's default")
                } else if let seconds = seconds.asDouble, seconds > 0 {
                    values.timeout = seconds
                } else {
                    d.issue(node.mark, "timeout must be greater than zero")
                }
            },
            codec: .value({ $0.timeout }, { $0.timeout = $1 }),
            explain: [.line(.execution, "timeout") { check, context in
                check.timeout.map { DurationText.format(seconds: $0) }
                    ?? "\(DurationText.format(seconds: context.catalog.defaultTimeout ?? 5)) (default)"
            }]),
        CheckField(
            "requires", "Checks that must pass (or warn) first; otherwise this one is skipped.", properties: ["requires"],
            schema: { _ in SchemaGenerator.type(.oneOrMany(.string)) },
            decoding: .now { d, node, values in
                if case .success(.value(let list)) = d.typed(node, .oneOrMany(.string), field: "requires", allowVariables: false) {
                    values.requires = list.asList?.compactMap(\.asString) ?? []
                }
            },
            codec: .value({ $0.requires }, { $0.requires = $1 }),
            explain: [.line(.execution, "requires") { check, _ in check.requires.joined(separator: ", ") }]),
        CheckField(
            "when", "Conditions under which the check applies; when one does not hold, the check is skipped (with `reason`).",
            properties: ["when", "whenReason"],
            schema: { _ in
                .object([
                    ("type", "object"), ("additionalProperties", false), ("minProperties", 1),
                    ("properties", .object([
                        ("env", SchemaGenerator.type(.oneOrMany(.string))),
                        ("env_unset", SchemaGenerator.type(.oneOrMany(.string))),
                        ("env_equals", .object([("type", "object"), ("additionalProperties", SchemaGenerator.type(.string))])),
                        ("path_exists", SchemaGenerator.type(.string)), ("path_absent", SchemaGenerator.type(.string)),
                        ("reason", SchemaGenerator.type(.string)),
                    ])),
                ])
            },
            decoding: .now { d, node, values in (values.when, values.whenReason) = d.decodeWhen(node) },
            codec: .all(.value({ $0.when }, { $0.when = $1 }), .value({ $0.whenReason }, { $0.whenReason = $1 })),
            explain: [.line(.execution, "applies when") { check, _ in check.when.map(\.phrase).joined(separator: "; ") }]),
        CheckField(
            "tags", "Free-form labels; --tag selects by them.", properties: ["tags"],
            schema: { _ in .object([("type", "array"), ("items", .object([("type", "string")]))]) },
            decoding: .now { d, node, values in
                if case .success(.value(let list)) = d.typed(node, .list(.string), field: "tags", allowVariables: false) {
                    values.tags = list.asList?.compactMap(\.asString) ?? []
                }
            },
            codec: .value({ $0.tags }, { $0.tags = $1 }),
            explain: [.line(.classification, "tags") { check, _ in check.tags.joined(separator: ", ") }]),
        CheckField(
            "sources", "Where each fact the check relies on comes from: {fact, upstream: file:line} or {fact, policy: reason}.",
            properties: ["sources"],
            schema: { _ in
                let text = SchemaGenerator.type(.string)
                return .object([
                    ("type", "array"),
                    ("items", .object([
                        ("type", "object"), ("required", ["fact"]), ("additionalProperties", false),
                        ("properties", .object([("fact", text), ("upstream", text), ("policy", text)])),
                        ("oneOf", [.object([("required", ["upstream"])]), .object([("required", ["policy"])])]),
                    ])),
                ])
            },
            decoding: .now { d, node, values in values.sources = d.decodeSources(node) },
            codec: .value({ $0.sources }, { $0.sources = $1 }),
            explain: [.block(.sources) { check, context in
                if check.sources.isEmpty { return nil }
                var out = "\nSources" + (context.catalog.upstream.map { " (upstream paths at \($0))" } ?? "") + "\n"
                for source in check.sources {
                    out += indent("- \(source.fact): " + (source.upstream.map { "upstream \($0)" } ?? "policy: \(source.policy ?? "")")) + "\n"
                }
                return out
            }]),
        CheckField(
            nil, "Where the check is written (file:line:col), recorded by the loader.", properties: ["location"],
            schema: nil, decoding: nil,
            codec: .value({ $0.location }, { $0.location = $1 }),
            explain: [.line(.execution, "source") { check, _ in check.location.description }]),
    ]
}
