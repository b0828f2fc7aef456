public import DoctorCore

/// The `governance`, `category` and `severity` query parameters every endpoint takes, checked against the catalog.
public struct ResultFilter: Sendable, Equatable {
    public var selection = Selection()

    public init(selection: Selection = Selection()) {
        self.selection = selection
    }

    /// What the catalog knows, to refuse unknown names with a 400 rather than answer with nothing.
    public struct Vocabulary: Sendable {
        public var categories: [String]
        /// Framework ids and aliases → the id the checks use.
        public var frameworks: [String: String]

        public init(categories: [String], frameworks: [String: String]) {
            self.categories = categories
            self.frameworks = frameworks
        }
    }

    /// Parses the query's filters; other parameters are left to the endpoint.
    public init(query: [(name: String, value: String)], vocabulary: Vocabulary) throws(RequestError) {
        for (name, value) in query {
            switch name {
            case "governance":
                guard let id = vocabulary.frameworks[value.lowercased()] else {
                    throw RequestError("unknown governance framework '\(value)'; known: \(Set(vocabulary.frameworks.values).sorted().joined(separator: ", "))")
                }
                selection.governance.append(id)
            case "category":
                guard vocabulary.categories.contains(value) else {
                    throw RequestError("unknown category '\(value)'; known: \(vocabulary.categories.joined(separator: ", "))")
                }
                selection.categories.append(value)
            case "severity":
                guard let severity = Severity(rawValue: value.lowercased()) else {
                    throw RequestError("unknown severity '\(value)'; known: \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                selection.minimumSeverity = severity
            default: continue
            }
        }
    }

    /// The report with only the matching results (the whole report when nothing is filtered).
    public func apply(_ report: RunReport) -> RunReport {
        guard !selection.isEmpty else { return report }
        var filtered = report
        filtered.results = report.results.filter { selection.matches($0.check) }
        filtered.selection = selection
        return filtered
    }

    public func matches(_ result: CheckResult) -> Bool { selection.isEmpty || selection.matches(result.check) }
}
