public import DoctorCore

/// For machines: a versioned report described by `schemas/report.schema.json`.
public struct JSONFormatter: ResultFormatter {
    public static let name = "json"
    public static let summary = "A versioned JSON report (schemas/report.schema.json) with evidence for every check."
    public static let fileExtension = "json"
    /// Bumped on any incompatible change to the report's shape.
    public static let schemaVersion: Int64 = 1

    public init(options: FormatOptions) {}

    public func write(_ report: RunReport, to emit: (String) -> Void) {
        var json = JSONWriter(capacity: report.results.count * 1200 + 1024)
        json.beginObject()
        json.int("schema_version", JSONFormatter.schemaVersion)
        json.beginObject("tool")
        json.string("name", "doctor")
        json.string("version", report.toolVersion)
        json.endObject()
        json.beginObject("catalog")
        json.string("digest", report.catalogDigest)
        json.endObject()
        json.beginObject("host")
        json.string("name", report.host)
        json.endObject()
        json.string("started_at", Timestamp.rfc3339(report.startedAt))
        json.string("finished_at", Timestamp.rfc3339(report.finishedAt))
        json.double("duration_seconds", max(0, report.finishedAt - report.startedAt))
        selection(report.selection, into: &json)
        json.bool("incomplete", report.incomplete)
        json.string("incomplete_reason", report.incompleteReason)
        JSONFormatter.summary(report.counts, into: &json)
        json.int("exit_code", Int64(report.exitStatus.rawValue))
        json.beginArray("checks")
        for result in report.results {
            JSONFormatter.check(result, into: &json)
            json.flush(into: emit)
        }
        json.endArray()
        json.endObject()
        json.flush(into: emit, force: true)
        emit("\n")
    }

    func selection(_ selection: Selection, into json: inout JSONWriter) {
        json.beginObject("selection")
        json.strings("governance", selection.governance)
        json.strings("categories", selection.categories)
        json.string("minimum_severity", selection.minimumSeverity?.rawValue)
        json.strings("checks", selection.checks)
        json.strings("skip", selection.skip)
        json.strings("tags", selection.tags)
        json.endObject()
    }

    /// The report's `summary` object: the total and the count of every status (also `/health`'s and the
    /// `run-finished` event's).
    public static func summary(_ counts: StatusCounts, into json: inout JSONWriter) {
        json.beginObject("summary")
        json.int("total", Int64(counts.total))
        for status in CheckStatus.allCases { json.int(status.rawValue, Int64(counts[status])) }
        json.endObject()
    }

    /// What names and classifies a check (id, title, category, severity, governance, tags): the start of its
    /// entry in the report and in `doctor list --format json`.
    public static func identity(_ check: Check, into json: inout JSONWriter) {
        json.string("id", check.id)
        json.string("title", check.title)
        json.string("category", check.category)
        json.string("severity", check.severity.rawValue)
        json.beginObject("governance")
        for entry in check.governance { json.strings(entry.framework, entry.controls) }
        json.endObject()
        json.strings("tags", check.tags)
    }

    /// One check's entry of the report's `checks` array (also what `doctor serve`'s `/events` sends per result).
    public static func check(_ result: CheckResult, into json: inout JSONWriter) {
        let check = result.check
        json.beginObject()
        identity(check, into: &json)
        json.string("status", result.status.rawValue)
        json.string("message", result.message)
        json.int("subjects", Int64(result.observed.count))
        json.beginArray("observed")
        for subject in result.observed {
            json.beginObject()
            json.string("subject", subject.subject)
            json.beginObject("values")
            for value in subject.values { JSONFormatter.value(value.name, value.value, value.type, into: &json) }
            json.endObject()
            json.string("problem", subject.problem)
            json.endObject()
        }
        json.endArray()
        json.beginObject("expected")
        for (observation, summary) in result.expected { json.string(observation, summary) }
        json.endObject()
        json.double("duration_seconds", result.startedAt == nil ? 0 : result.durationSeconds)
        json.string("started_at", result.startedAt.map(Timestamp.rfc3339))
        json.string("finished_at", result.finishedAt.map(Timestamp.rfc3339))
        json.string("remediation", check.remediation)
        json.string("source", "\(check.location.file):\(check.location.mark)")
        json.bool("included_as_requirement", result.includedAsRequirement)
        json.endObject()
    }

    /// Typed JSON for an observed value: modes as octal strings, principals as {id, name}.
    static func value(_ name: String?, _ value: Value, _ type: ValueType?, into json: inout JSONWriter) {
        switch value {
        case .null: json.null(name)
        case .bool(let flag): json.bool(name, flag)
        case .int(let number):
            if type == .fileMode { json.string(name, value.display(as: .fileMode)) } else { json.int(name, number) }
        case .double(let number): json.double(name, number)
        case .string(let text): json.string(name, text)
        case .principal(let id, let principal):
            json.beginObject(name)
            json.int("id", id)
            json.string("name", principal)
            json.endObject()
        case .list(let items):
            json.beginArray(name)
            var element: ValueType?
            if case .list(let inner)? = type { element = inner }
            for item in items { JSONFormatter.value(nil, item, element, into: &json) }
            json.endArray()
        }
    }
}
