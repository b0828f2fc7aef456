import DoctorCore
import DoctorFormatters
import Foundation
import Synchronization

/// The endpoints of `doctor serve`: routing, filters, freshness, and every body. Served by `HTTPServer`.
public struct Endpoints: Sendable {
    public static let paths = ["/", "/metrics", "/health", "/checks", "/events", "/run"]

    public let scheduler: RunScheduler
    public let hub: EventHub
    public let vocabulary: ResultFilter.Vocabulary
    public let metricPrefix: String
    /// Formatted bodies of the last run, by endpoint and query: a scrape formats once per run, not per request.
    private let cache = RenderCache()

    public init(scheduler: RunScheduler, hub: EventHub, vocabulary: ResultFilter.Vocabulary, metricPrefix: String) {
        self.scheduler = scheduler
        self.hub = hub
        self.vocabulary = vocabulary
        self.metricPrefix = metricPrefix
    }

    /// Answers one request. `target` is the request target (`/metrics?category=ipc-connectivity`).
    public func answer(method: String, target: String) async -> Answer {
        let (path, query) = Endpoints.split(target)
        let filter: ResultFilter
        var maxAge: Double?
        do throws(RequestError) {
            filter = try ResultFilter(query: query, vocabulary: vocabulary)
            if let text = query.last(where: { $0.name == "max_age" })?.value {
                guard let seconds = Double(text), seconds >= 0, seconds.isFinite else { throw RequestError("max_age must be a number of seconds, not '\(text)'") }
                maxAge = seconds
            }
        } catch {
            return .reply(.text(400, error.description))
        }
        let allowed = path == "/run" ? ["POST"] : ["GET", "HEAD"]
        guard Endpoints.paths.contains(path) else { return .reply(.text(404, "no such endpoint: \(path); try \(Endpoints.paths.joined(separator: ", "))")) }
        guard allowed.contains(method) else { return .reply(.text(405, "\(path) takes \(allowed.joined(separator: ", "))", headers: [("Allow", allowed.joined(separator: ", "))])) }

        if path == "/events" { return .events(filter) }
        let snapshot: RunScheduler.Snapshot?
        if path == "/run" {
            snapshot = await scheduler.fresh(maxAge: maxAge ?? 0)
        } else if let maxAge {
            snapshot = await scheduler.fresh(maxAge: maxAge)
        } else {
            snapshot = await scheduler.latest
        }
        let inProgress = await scheduler.runInProgressSince
        switch path {
        case "/metrics": return .reply(await metrics(snapshot, filter, inProgress: inProgress != nil))
        case "/health": return .reply(health(snapshot, filter, inProgress: inProgress))
        case "/": return .reply(page(snapshot, filter, target: target))
        default: return .reply(checks(snapshot, filter))
        }
    }

    // MARK: - Bodies

    static func age(_ report: RunReport) -> Double { max(0, Date().timeIntervalSince1970 - report.finishedAt) }

    private func freshness(_ snapshot: RunScheduler.Snapshot) -> [(String, String)] {
        [("Age", String(Int(Endpoints.age(snapshot.report)))), ("X-Doctor-Run", String(snapshot.run)), ("Cache-Control", "no-store")]
    }

    private static let notYet = "no run has finished yet; the first one is in progress"

    func metrics(_ snapshot: RunScheduler.Snapshot?, _ filter: ResultFilter, inProgress: Bool) async -> Reply {
        var text = ""
        if let snapshot {
            text = cache.text(run: snapshot.run, key: "metrics", filter: filter) {
                PrometheusFormatter(options: FormatOptions(metricPrefix: metricPrefix)).format(filter.apply(snapshot.report))
            }
        }
        let p = metricPrefix + "_doctor_serve"
        let runs = await scheduler.completedRuns
        text += "# HELP \(p)_runs_total Catalog runs this server has completed.\n# TYPE \(p)_runs_total counter\n\(p)_runs_total \(runs)\n"
        text += "# HELP \(p)_run_in_progress 1 while a catalog run is in flight.\n# TYPE \(p)_run_in_progress gauge\n\(p)_run_in_progress \(inProgress ? 1 : 0)\n"
        if let snapshot {
            let age = (Endpoints.age(snapshot.report) * 1000).rounded() / 1000
            text += "# HELP \(p)_result_age_seconds Age of the results served, from the end of their run.\n# TYPE \(p)_result_age_seconds gauge\n\(p)_result_age_seconds \(age)\n"
        }
        text += "# HELP \(p)_event_subscribers Clients connected to /events.\n# TYPE \(p)_event_subscribers gauge\n\(p)_event_subscribers \(hub.subscriberCount)\n"
        return Reply(
            status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
            headers: snapshot.map(freshness) ?? [("Cache-Control", "no-store")], body: Array(text.utf8))
    }

    func health(_ snapshot: RunScheduler.Snapshot?, _ filter: ResultFilter, inProgress: Double?) -> Reply {
        var json = JSONWriter()
        json.beginObject()
        guard let snapshot else {
            json.string("status", "starting")
            json.string("version", DoctorVersion.current)
            json.null("last_run")
            json.bool("run_in_progress", inProgress != nil)
            json.string("message", Endpoints.notYet)
            json.endObject()
            return Reply(status: 503, contentType: "application/json", headers: [("Retry-After", "1"), ("Cache-Control", "no-store")], body: Array((json.output + "\n").utf8))
        }
        let report = filter.apply(snapshot.report)
        let status = HealthStatus(report.results, incomplete: report.incomplete)
        json.string("status", status.rawValue)
        json.string("version", DoctorVersion.current)
        json.beginObject("last_run")
        json.int("run", Int64(snapshot.run))
        json.string("started_at", Timestamp.rfc3339(report.startedAt))
        json.string("finished_at", Timestamp.rfc3339(report.finishedAt))
        json.double("duration_seconds", max(0, report.finishedAt - report.startedAt))
        json.double("age_seconds", (Endpoints.age(report) * 1000).rounded() / 1000)
        json.bool("incomplete", report.incomplete)
        json.string("catalog_digest", report.catalogDigest)
        json.endObject()
        json.bool("run_in_progress", inProgress != nil)
        JSONFormatter.summary(report.counts, into: &json)
        json.beginObject("checks")
        let byCategory = Dictionary(grouping: report.results, by: \.check.category)
        for category in report.categoryOrder {
            guard let results = byCategory[category] else { continue }
            json.string(category, HealthStatus(results).rawValue)
        }
        json.endObject()
        json.endObject()
        return Reply(
            status: status == .failing ? 503 : 200, contentType: "application/json", headers: freshness(snapshot),
            body: Array((json.output + "\n").utf8))
    }

    func checks(_ snapshot: RunScheduler.Snapshot?, _ filter: ResultFilter) -> Reply {
        guard let snapshot else { return .text(503, Endpoints.notYet, headers: [("Retry-After", "1")]) }
        let body = cache.text(run: snapshot.run, key: "checks", filter: filter) {
            JSONFormatter(options: FormatOptions()).format(filter.apply(snapshot.report))
        }
        return Reply(status: 200, contentType: "application/json", headers: freshness(snapshot), body: Array(body.utf8))
    }

    func page(_ snapshot: RunScheduler.Snapshot?, _ filter: ResultFilter, target: String) -> Reply {
        let query = target.firstIndex(of: "?").map { String(target[$0...]) } ?? ""
        let html = StatusPage.render(snapshot.map { ($0.run, filter.apply($0.report)) }, query: query, metricPrefix: metricPrefix)
        return Reply(
            status: 200, contentType: "text/html; charset=utf-8",
            headers: snapshot.map(freshness) ?? [("Cache-Control", "no-store")], body: Array(html.utf8))
    }

    // MARK: - Event stream

    /// One Server-Sent Event for `event`, or nil when the filter leaves it out.
    public static func serverSentEvent(_ event: ServerEvent, filter: ResultFilter) -> String? {
        var json = JSONWriter(pretty: false)
        let name: String
        let id: String
        switch event {
        case .runStarted(let run, let startedAt, let checks):
            name = "run-started"
            id = "\(run)"
            json.beginObject()
            json.int("run", Int64(run))
            json.string("started_at", Timestamp.rfc3339(startedAt))
            json.int("checks", Int64(checks))
            json.endObject()
        case .check(let run, let sequence, let result):
            guard filter.matches(result) else { return nil }
            name = "check"
            id = "\(run).\(sequence)"
            JSONFormatter.check(result, into: &json)
        case .runFinished(let run, let fullReport):
            let report = filter.apply(fullReport)
            name = "run-finished"
            id = "\(run)"
            json.beginObject()
            json.int("run", Int64(run))
            json.string("status", HealthStatus(report.results, incomplete: report.incomplete).rawValue)
            json.string("finished_at", Timestamp.rfc3339(report.finishedAt))
            json.double("duration_seconds", max(0, report.finishedAt - report.startedAt))
            json.bool("incomplete", report.incomplete)
            JSONFormatter.summary(report.counts, into: &json)
            json.endObject()
        }
        return "event: \(name)\nid: \(id)\ndata: \(json.output)\n\n"
    }

    // MARK: - Request targets

    /// Path and percent-decoded query parameters (`+` is a space).
    static func split(_ target: String) -> (path: String, query: [(name: String, value: String)]) {
        guard let mark = target.firstIndex(of: "?") else { return (target, []) }
        let path = String(target[..<mark])
        var query: [(String, String)] = []
        for pair in target[target.index(after: mark)...].split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            query.append((decode(parts[0]), parts.count > 1 ? decode(parts[1]) : ""))
        }
        return (path, query)
    }
}
