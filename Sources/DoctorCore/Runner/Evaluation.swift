/// Turns a probe's observations and a check's expectations into a status, a message and the evidence.
enum Evaluation {
    static func evaluate(_ output: ProbeOutput, _ expectations: [ResolvedExpectation], spec: ProbeSpec) -> (CheckStatus, String, [ObservedSubject]) {
        var failures: [String] = output.problems
        var warnings: [String] = []
        var subjects: [ObservedSubject] = []
        subjects.reserveCapacity(output.observations.count)
        let types = Dictionary(spec.observations.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })

        for observation in output.observations {
            var problem: String?
            var missing: [ResolvedExpectation] = []
            var subjectFailures: [String] = []
            var subjectWarnings: [String] = []
            for expectation in expectations {
                let value = observation.values[expectation.observation]
                if value == nil, observation.missingReason != nil {
                    missing.append(expectation)
                    continue
                }
                switch expectation.evaluate(value) {
                case .pass: continue
                case .fail(let text):
                    // A failed presence flag (`exists`, `set`) says the same as the missing reason: fold it in.
                    if case .bool = value, observation.missingReason != nil {
                        missing.append(expectation)
                    } else {
                        subjectFailures.append(text)
                    }
                case .warn(let text): subjectWarnings.append(text)
                }
            }
            let prefix = observation.subject.map { "\($0): " } ?? ""
            if let reason = observation.missingReason, !missing.isEmpty {
                // One line for what could not be compared (and why), after any real mismatches.
                let expected = missing.map { "\($0.observation) \($0.summary)" }.joined(separator: ", ")
                let line = "\(reason) (expected \(expected))"
                failures += subjectFailures.map { prefix + $0 } + [line]
                problem = (subjectFailures + [line]).joined(separator: "; ")
            } else if !subjectFailures.isEmpty {
                failures += subjectFailures.map { prefix + $0 }
                problem = subjectFailures.joined(separator: "; ")
            } else if !subjectWarnings.isEmpty {
                warnings += subjectWarnings.map { prefix + $0 }
                problem = subjectWarnings.joined(separator: "; ")
            }
            let values = observation.values.sorted { $0.key < $1.key }.map {
                ObservedValue(name: $0.key, value: $0.value, type: types[$0.key])
            }
            subjects.append(ObservedSubject(subject: observation.subject, values: values, problem: problem))
        }

        if !failures.isEmpty { return (.fail, summarize(failures, of: output.observations.count), subjects) }
        if !warnings.isEmpty { return (.warn, summarize(warnings, of: output.observations.count), subjects) }
        return (.pass, passMessage(output, expectations), subjects)
    }

    static func summarize(_ lines: [String], of total: Int) -> String {
        let shown = lines.prefix(3).joined(separator: "; ")
        return lines.count > 3 ? "\(shown); and \(lines.count - 3) more" : shown
    }

    static func passMessage(_ output: ProbeOutput, _ expectations: [ResolvedExpectation]) -> String {
        if output.observations.count == 1, let only = output.observations.first {
            let parts = expectations.compactMap { expectation in
                only.values[expectation.observation].map { "\(expectation.observation) \($0.display(as: expectation.type))" }
            }
            let subject = only.subject.map { "\($0): " } ?? ""
            return parts.isEmpty ? "\(subject)ok" : subject + parts.joined(separator: ", ")
        }
        let count = output.observations.count
        return count == 1 ? "1 subject as expected" : "\(count) subjects, all as expected"
    }
}
