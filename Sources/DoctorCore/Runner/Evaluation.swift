/// Turns a probe's observations and a check's expectations into a status, a message and the evidence.
enum Evaluation {
    /// Status, message (nil for a pass: rendered on demand) and evidence.
    static func evaluate(_ output: ProbeOutput, _ expectations: [ResolvedExpectation], spec: ProbeSpec) -> (CheckStatus, String?, [ObservedSubject]) {
        var failures: [String] = output.problems
        var warnings: [String] = []
        var errors: [String] = []
        var subjects: [ObservedSubject] = []
        subjects.reserveCapacity(output.observations.count)

        for observation in output.observations {
            var problem: String?
            var missing: [ResolvedExpectation] = []
            var subjectFailures: [String] = []
            var subjectWarnings: [String] = []
            for expectation in expectations {
                let value = observation.values[dynamic: expectation.observation]
                if value == nil, observation.reasonExplains(expectation.observation) {
                    missing.append(expectation)
                    continue
                }
                switch expectation.evaluate(value) {
                case .pass: continue
                case .fail(let text):
                    // A failed presence flag (`exists`, `set`) says the same as the missing reason: fold it in.
                    if case .bool = value, observation.reasonExplains(expectation.observation) {
                        missing.append(expectation)
                    } else {
                        subjectFailures.append(text)
                    }
                case .warn(let text): subjectWarnings.append(text)
                case .error(let text): errors.append((observation.subject.map { "\($0): " } ?? "") + text)
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
            // Evidence in the spec's order, typed by the spec (no sorting, no lookups by type).
            var values: [ObservedValue] = []
            values.reserveCapacity(observation.values.count)
            for declared in spec.observations {
                if let value = observation.values[dynamic: declared.name] { values.append(ObservedValue(name: declared.name, value: value, type: declared.type)) }
            }
            if values.count < observation.values.count {
                for (name, value) in observation.values where spec.observation(name) == nil {
                    values.append(ObservedValue(name: name, value: value, type: nil))
                }
            }
            subjects.append(ObservedSubject(subject: observation.subject, values: values, problem: problem))
        }

        if !errors.isEmpty { return (.error, summarize(errors), subjects) }
        if !failures.isEmpty { return (.fail, summarize(failures), subjects) }
        if !warnings.isEmpty { return (.warn, summarize(warnings), subjects) }
        return (.pass, nil, subjects)
    }

    static func summarize(_ lines: [String]) -> String {
        let shown = lines.prefix(3).joined(separator: "; ")
        return lines.count > 3 ? "\(shown); and \(lines.count - 3) more" : shown
    }

    static func passMessage(_ observed: [ObservedSubject], _ expectations: [ResolvedExpectation]) -> String {
        if observed.count == 1, let only = observed.first {
            let parts = expectations.compactMap { expectation in
                only.values.first { $0.name == expectation.observation }.map { "\(expectation.observation) \($0.evidence)" }
            }
            let subject = only.subject.map { "\($0): " } ?? ""
            return parts.isEmpty ? "\(subject)ok" : subject + parts.joined(separator: ", ")
        }
        let count = observed.count
        return count == 1 ? "1 subject as expected" : "\(count) subjects, all as expected"
    }
}
