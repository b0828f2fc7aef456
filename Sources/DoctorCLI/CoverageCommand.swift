import ArgumentParser
import DoctorCore
import Foundation

/// `doctor coverage`: for each control of each framework, the checks that give evidence for it, and with
/// `--report` their status in that run. Worded as evidence, never as compliance.
struct CoverageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "Show which checks give evidence for each governance control, and with --report how they fared.")

    @OptionGroup var catalogOptions: CatalogOptions

    @Option(name: .customLong("governance"), help: ArgumentHelp("Only these frameworks (stig, pci-dss, soc2; repeatable). Default: all.", valueName: "framework"))
    var frameworks: [String] = []

    @Option(help: ArgumentHelp("A JSON report of a run (doctor run --format json=FILE): show each check's status in it.", valueName: "file"))
    var report: String?

    @Option(help: ArgumentHelp("Output format: text or json.", valueName: "format"))
    var format: String = "text"

    @Flag(name: .customLong("fail-on-evidence-against"), help: "With --report: exit 2 when any control has evidence against it (a failed or errored check), for use as a gate.")
    var failOnEvidenceAgainst = false

    struct Row {
        var control: GovernanceControl
        var checks: [(id: String, status: String?, via: String?)]
    }

    func run() async throws {
        guard ["text", "json"].contains(format) else { throw ValidationError("--format must be text or json") }
        if failOnEvidenceAgainst && report == nil { throw ValidationError("--fail-on-evidence-against needs --report") }
        let session = try await CatalogSession.open(catalogOptions, withGovernance: true)
        var selected = session.governance.frameworks
        if !frameworks.isEmpty {
            selected = try frameworks.map { name in
                guard let framework = session.governance.framework(name) else {
                    Console.err("doctor: " + SelectionOptions.unknownFramework(name, session.governance.frameworks.map { ($0.id, $0.aliases) }))
                    throw ExitCode(ExitStatus.usage.rawValue)
                }
                return framework
            }
        }
        var statuses: [String: String] = [:]
        if let report {
            guard let data = FileManager.default.contents(atPath: report),
                let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let checks = document["checks"] as? [[String: Any]]
            else {
                throw ValidationError("--report \(report) is not a doctor JSON report")
            }
            for check in checks {
                if let id = check["id"] as? String, let status = check["status"] as? String { statuses[id] = status }
            }
            // A report of another catalog, or of a narrower selection, is not evidence about this one.
            if let digest = (document["catalog"] as? [String: Any])?["digest"] as? String, digest != session.catalog.digest {
                Console.err("doctor: warning: --report \(report) came from a different catalog (digest \(digest.prefix(12)), this catalog is \(session.catalog.digest.prefix(12))): its statuses may not be these checks'")
            }
            if let selection = document["selection"] as? [String: Any] {
                let narrowed = selection.contains { key, value in
                    if let list = value as? [Any] { return !list.isEmpty }
                    return key == "minimum_severity" && !(value is NSNull)
                }
                if narrowed {
                    Console.err("doctor: warning: --report \(report) ran a selection of the catalog, not all of it: checks outside it show as 'not run'")
                }
            }
        }
        var tables: [(GovernanceFrameworkInfo, [Row])] = []
        for framework in selected {
            let evidence = session.governance.evidence(for: framework, checks: session.catalog.checks)
            let rows = framework.controls.map { control in
                Row(control: control, checks: (evidence[control.id] ?? []).map { item in
                    (item.check, report == nil ? nil : (statuses[item.check] ?? "not run"), item.via)
                })
            }
            tables.append((framework, rows))
        }
        Console.out(format == "json" ? CoverageCommand.json(tables) : CoverageCommand.text(tables))
        if failOnEvidenceAgainst {
            let against = tables.flatMap { framework, rows in rows.filter { CoverageCommand.summary($0.checks) == "evidence against" }.map { "\(framework.id) \($0.control.id)" } }
            if !against.isEmpty {
                Console.err("doctor: \(against.count) control\(against.count == 1 ? " has" : "s have") evidence against: " + against.prefix(20).joined(separator: ", ") + (against.count > 20 ? ", …" : ""))
                throw ExitCode(ExitStatus.failures.rawValue)
            }
        }
    }

    /// A control's evidence in one word: none, passing, failing, mixed (warnings or skips), or not run.
    static func summary(_ checks: [(id: String, status: String?, via: String?)]) -> String {
        let statuses = checks.compactMap(\.status)
        if checks.isEmpty { return "no check" }
        if statuses.isEmpty { return "\(checks.count) check\(checks.count == 1 ? "" : "s")" }
        if statuses.contains("fail") || statuses.contains("error") { return "evidence against" }
        if statuses.allSatisfy({ $0 == "skip" || $0 == "not run" }) { return "not assessed" }
        if statuses.allSatisfy({ $0 == "pass" }) { return "evidence for" }
        return "partial evidence"
    }

    static func text(_ tables: [(GovernanceFrameworkInfo, [Row])]) -> String {
        var out = ""
        for (framework, rows) in tables {
            let covered = rows.filter { !$0.checks.isEmpty }
            out += "\(framework.name) \(framework.version): \(covered.count) of \(rows.count) controls have checks giving evidence\n"
            for row in covered {
                let label = [row.control.id, row.control.category].compactMap { $0 }.joined(separator: " ")
                out += "  \(label) — \(row.control.title)\n"
                let checks = row.checks.map { check in
                    var text = check.id
                    if let via = check.via { text += " via \(via)" }
                    if let status = check.status { text += " (\(status))" }
                    return text
                }.joined(separator: ", ")
                out += "      \(summary(row.checks)): \(checks)\n"
            }
            let uncovered = rows.filter { $0.checks.isEmpty }
            if !uncovered.isEmpty {
                out += "  Controls with no check (\(uncovered.count)):\n"
                for row in uncovered { out += "    \(row.control.id) — \(row.control.title)\n" }
            }
            out += "\n"
        }
        out += "Checks give technical evidence for a control; they do not make a system compliant.\n"
        return out
    }

    static func json(_ tables: [(GovernanceFrameworkInfo, [Row])]) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.beginArray("frameworks")
        for (framework, rows) in tables {
            json.beginObject()
            json.string("id", framework.id)
            json.string("name", framework.name)
            json.string("version", framework.version)
            json.int("control_count", Int64(rows.count))
            json.int("covered_count", Int64(rows.filter { !$0.checks.isEmpty }.count))
            json.beginArray("controls")
            for row in rows where !row.checks.isEmpty {
                json.beginObject()
                json.string("id", row.control.id)
                json.string("title", row.control.title)
                json.string("severity", row.control.severity)
                json.string("stig_id", row.control.stigID)
                json.string("evidence", summary(row.checks))
                json.beginArray("checks")
                for check in row.checks {
                    json.beginObject()
                    json.string("id", check.id)
                    json.string("status", check.status)
                    json.string("via", check.via)
                    json.endObject()
                }
                json.endArray()
                json.endObject()
            }
            json.endArray()
            json.strings("uncovered", rows.filter { $0.checks.isEmpty }.map(\.control.id))
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.output + "\n"
    }
}
