import DoctorCore
import DoctorProbes
import DoctorYAML
import DoctorTestSupport
import Foundation
import Testing

/// Every built-in probe's examples, as SwiftLint runs each rule's triggering and non-triggering examples: each is
/// a valid check, and on the demo hosts (`scripts/demo-host`) it reports exactly the outcomes it states.
@Suite struct ProbeExampleTests {
    static let types = BuiltInProbes.all.map { $0.spec.type }

    /// Probes none of whose examples can show a finding on the demo hosts, and why.
    static let withoutFinding: [String: String] = [
        "journal": "the demo hosts read this machine's journal, which has no Open Sesame entries (and none this user can read here)",
    ]

    /// Every example, by the check id it declares.
    static let examples: [(type: String, id: String, example: ProbeExample)] = BuiltInProbes.all.flatMap { probe in
        probe.spec.examples.map { example in
            let line = example.yaml.split(separator: "\n").first { $0.hasPrefix("id: ") } ?? ""
            return (probe.spec.type, String(line.dropFirst("id: ".count)), example)
        }
    }

    /// Every example in every probe's spec (and so in its reference page) is a valid check, and states what it
    /// reports: per host one outcome, or several that each say for which machines they hold; a message for any
    /// outcome but a pass.
    @Test(arguments: types)
    func examplesLoadAndStateTheirOutcomes(_ type: String) async throws {
        let spec = try #require(BuiltInProbes.registry[type]).spec
        #expect(!spec.examples.isEmpty, "probe '\(type)' has no examples")
        for example in spec.examples {
            let fixture = TemporaryDirectory(prefix: "doctor-example")
            let catalog = try await CatalogLoader(registry: BuiltInProbes.registry).load(paths: [fixture.write("example.yaml", example.yaml)])
            #expect(catalog.checks.count == 1, "\(type): \(example.title)")
            #expect(catalog.checks.first?.probe.type == type)
            #expect(!example.outcomes.isEmpty, "probe '\(type)', example '\(example.title)' states no outcome")
            for host in ExampleOutcome.Host.allCases {
                let outcomes = example.outcomes.filter { $0.host == host }
                if outcomes.count > 1 {
                    #expect(outcomes.allSatisfy { $0.machine != nil }, "probe '\(type)', example '\(example.title)': several outcomes on \(host.rawValue), not each for its machines")
                }
            }
            for outcome in example.outcomes {
                #expect((outcome.status == .pass) == (outcome.message == nil), "probe '\(type)', example '\(example.title)': \(outcome.status) with message \(String(describing: outcome.message))")
            }
        }
        let statuses = Set(spec.examples.flatMap(\.outcomes).map(\.status))
        if let reason = ProbeExampleTests.withoutFinding[type] {
            #expect(statuses.isDisjoint(with: [.fail, .warn, .error]), "probe '\(type)' shows a finding now: remove it from withoutFinding (\(reason))")
        } else {
            #expect(statuses.contains(.pass) && !statuses.isDisjoint(with: [.fail, .warn, .error]), "probe '\(type)' needs a passing and a failing example: \(statuses)")
        }
    }

    /// All the examples run as one catalog, so their ids must differ.
    @Test func exampleIdsAreUnique() {
        let ids = ProbeExampleTests.examples.map(\.id)
        #expect(!ids.contains(""), "an example without an id line")
        #expect(Set(ids).count == ids.count, "\(ids.sorted())")
    }

    /// Every example of the probe reports on each demo host its outcomes name what they say: the status, and the
    /// message (exact or the stated part).
    @Test(arguments: types)
    func examplesReportTheirStatedOutcomes(_ type: String) async throws {
        let results = try await ProbeExampleTests.results.value
        for (_, id, example) in ProbeExampleTests.examples.filter({ $0.type == type }) {
            for host in ExampleOutcome.Host.allCases {
                let stated = example.outcomes.filter { $0.host == host }
                guard !stated.isEmpty else { continue }
                let result = try #require(results[host]?[id], "probe '\(type)', example '\(example.title)': no result for '\(id)' on \(host.rawValue)")
                #expect(stated.contains { $0.matches(status: result.status, message: result.message) },
                        "probe '\(type)', example '\(example.title)' on \(host.rawValue): \(result.status.rawValue) \(result.message); stated \(stated.map { "\($0.status.rawValue) \($0.message.map { String(describing: $0) } ?? "")" })")
            }
        }
    }

    struct Reported: Sendable {
        var status: CheckStatus
        var message: String
    }

    /// Every example as one catalog, run once on each demo host an outcome names: each check's status and message by
    /// id, the message naming the demo host's directories `${HOME}` and `${XDG_RUNTIME_DIR}`, as the examples do.
    static let results = Task<[ExampleOutcome.Host: [String: Reported]], any Error> {
        let directory = TemporaryDirectory(prefix: "doctor-examples")
        let catalog = directory.path + "/catalog"
        try FileManager.default.createDirectory(atPath: catalog, withIntermediateDirectories: true)
        for (number, entry) in examples.enumerated() {
            _ = FileManager.default.createFile(atPath: catalog + "/\(number)-\(entry.type).yaml", contents: Data(entry.example.yaml.utf8))
        }
        let hosts = Set(examples.flatMap { $0.example.outcomes.map(\.host) })
        var results: [ExampleOutcome.Host: [String: Reported]] = [:]
        for host in ExampleOutcome.Host.allCases where hosts.contains(host) {
            results[host] = try reports(on: host, catalog: catalog, directory: directory.path)
        }
        return results
    }

    static func reports(on host: ExampleOutcome.Host, catalog: String, directory: String) throws -> [String: Reported] {
        let report = directory + "/\(host.rawValue).json", paths = directory + "/\(host.rawValue).paths"
        // On the demo host: note its directories, then one doctor run of the examples.
        let command = #"printf '%s\n%s\n' "$HOME" "$XDG_RUNTIME_DIR" > "$EXAMPLES_PATHS" && exec "$DOCTOR" run --no-cache --catalog "$EXAMPLES_CATALOG" --allow-exec --plugin-dir "$EXAMPLES_PLUGINS" --plugin-dir /usr/lib/nagios/plugins --format json="$EXAMPLES_REPORT""#
        var environment: [String: String?] = [
            "DOCTOR": try executable("doctor"), "DEMO_EXEC": command, "EXAMPLES_CATALOG": catalog, "EXAMPLES_REPORT": report,
            "EXAMPLES_PATHS": paths, "EXAMPLES_PLUGINS": repoRoot + "/Tests/Fixtures/exec",
            "DEMO_BROKEN": nil, "DEMO_STALE": nil, "DEMO_GRAPHICAL": nil, "DEMO_VARIANT": nil, "KEEP_DEMO": nil,
        ]
        for (name, value) in host.environment { environment[name] = value }
        let completed = try run(repoRoot + "/scripts/demo-host", [], environment: environment, cwd: repoRoot)
        guard (0...3).contains(completed.status), let data = FileManager.default.contents(atPath: report),
              let directories = try? String(contentsOfFile: paths, encoding: .utf8).split(separator: "\n").map(String.init), directories.count == 2
        else {
            throw ToolMissing(message: "the \(host.rawValue) demo host did not run the examples (exit \(completed.status)): \(completed.stderr)\(completed.stdout)")
        }
        let document = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        var out: [String: Reported] = [:]
        for check in document?["checks"] as? [[String: Any]] ?? [] {
            let message = (check["message"] as? String ?? "").replacing(directories[0], with: "${HOME}").replacing(directories[1], with: "${XDG_RUNTIME_DIR}")
            out[check["id"] as? String ?? ""] = Reported(status: CheckStatus(rawValue: check["status"] as? String ?? "") ?? .error, message: message)
        }
        return out
    }
}
