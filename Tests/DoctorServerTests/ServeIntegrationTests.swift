import DoctorTestSupport
import Foundation
import Testing

/// `doctor serve` with the clients it is for: a real Prometheus server (with the shipped scrape config, rules and
/// dashboard queries), headless Chromium on the status page, and systemd's own checker on the shipped units.
@Suite struct ServeIntegrationTests {
    @Test func prometheusScrapesTheTCPListenerWithTheShippedConfigAndRules() async throws {
        let server = try await ServeProcess(catalog: serveCatalog(marker: "/nonexistent"), arguments: ["--listen", "127.0.0.1:0"])
        let port = try #require(server.port)
        let scratch = server.scratch
        // The shipped scrape config, pointed at this server and scraping every second.
        var config = try String(contentsOfFile: repoRoot + "/docs/prometheus/scrape-config.yml", encoding: .utf8)
        config = config.replacingOccurrences(of: "127.0.0.1:9464", with: "127.0.0.1:\(port)")
            .replacingOccurrences(of: "scrape_interval: 30s", with: "scrape_interval: 1s")
            .replacingOccurrences(of: "evaluation_interval: 30s", with: "evaluation_interval: 1s")
        scratch.write("prom/prometheus.yml", config)
        try FileManager.default.copyItem(atPath: repoRoot + "/docs/prometheus/doctor-rules.yml", toPath: scratch.path + "/prom/doctor-rules.yml")
        let api = Int.random(in: 20000...40000)
        let prometheus = try ChildProcess([
            try tool("prometheus"), "--config.file=\(scratch.path)/prom/prometheus.yml", "--storage.tsdb.path=\(scratch.path)/prom/data",
            "--web.listen-address=127.0.0.1:\(api)",
        ], stdout: scratch.path + "/prometheus.log")
        func query(_ expression: String) throws -> [String: Any] {
            let answer = try run(try tool("curl"), ["-s", "--max-time", "5", "--get", "--data-urlencode", "query=\(expression)", "http://127.0.0.1:\(api)/api/v1/query"])
            return ((try? JSONSerialization.jsonObject(with: Data(answer.stdout.utf8))) as? [String: Any]) ?? [:]
        }
        func vector(_ expression: String) throws -> [(labels: [String: String], value: String)] {
            let result = ((try query(expression)["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
            return result.map { (($0["metric"] as? [String: String]) ?? [:], (($0["value"] as? [Any])?.last as? String) ?? "") }
        }
        // The first scrape lands some seconds after Prometheus is ready.
        var home: [(labels: [String: String], value: String)] = []
        for _ in 0..<300 where home.isEmpty {
            home = (try? vector("pds_doctor_check{name=\"serve-home\"}")) ?? []
            if home.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(home.count == 1 && home.first?.value == "0", "\(home); \(String(((try? String(contentsOfFile: scratch.path + "/prometheus.log", encoding: .utf8)) ?? "").suffix(1500)))")
        #expect(home.first?.labels["job"] == "doctor" && home.first?.labels["category"] == "configuration")
        #expect(try vector("pds_doctor_check{name=\"serve-marker\"}").first?.value == "1")
        #expect(try vector("pds_doctor_check_info{name=\"serve-marker\"}").first?.labels["severity"] == "critical")
        #expect(try vector("up{job=\"doctor\"}").first?.value == "1")

        // The rules load and evaluate; the failing critical check is pending or firing.
        var rules: [[String: Any]] = []
        var alerts: [[String: Any]] = []
        for _ in 0..<100 {
            let answer = try run(try tool("curl"), ["-s", "http://127.0.0.1:\(api)/api/v1/rules"])
            let groups = ((((try? JSONSerialization.jsonObject(with: Data(answer.stdout.utf8))) as? [String: Any])?["data"] as? [String: Any])?["groups"] as? [[String: Any]]) ?? []
            rules = groups.flatMap { ($0["rules"] as? [[String: Any]]) ?? [] }
            alerts = rules.first { $0["name"] as? String == "DoctorCriticalCheckFailing" }.flatMap { $0["alerts"] as? [[String: Any]] } ?? []
            if !alerts.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(rules.count == 6 && rules.allSatisfy { $0["health"] as? String == "ok" }, "\(rules.map { ($0["name"] ?? "", $0["health"] ?? "", $0["lastError"] ?? "") })")
        #expect(alerts.compactMap { ($0["labels"] as? [String: String])?["name"] } == ["serve-marker"], "\(alerts)")

        // Every query of the shipped dashboard is valid PromQL here, and the headline ones see this server.
        let dashboard = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: repoRoot + "/docs/grafana/doctor-dashboard.json"))) as? [String: Any])
        let panels = (dashboard["panels"] as? [[String: Any]]) ?? []
        #expect(panels.count >= 8)
        var expressions: [String: String] = [:]
        for panel in panels {
            for target in (panel["targets"] as? [[String: Any]]) ?? [] {
                let expression = ((target["expr"] as? String) ?? "").replacingOccurrences(of: "$job", with: "doctor").replacingOccurrences(of: "$instance", with: ".*")
                let answer = try query(expression)
                #expect(answer["status"] as? String == "success", "\(panel["title"] ?? ""): \(expression): \(answer)")
                expressions[(panel["title"] as? String) ?? ""] = expression
            }
        }
        #expect(try vector(try #require(expressions["Failing checks"])).first?.value == "1")
        #expect(try vector(try #require(expressions["Failing critical checks"])).first?.value == "1")
        #expect(try vector(try #require(expressions["Failing checks by category"])).map { $0.labels["category"] ?? "" } == ["vault-integrity"])
        withExtendedLifetime(prometheus) {}
    }

    @Test func theStatusPageRendersInHeadlessChromium() async throws {
        let server = try await ServeProcess(catalog: serveCatalog(marker: "/nonexistent"), arguments: ["--listen", "127.0.0.1:0"])
        let port = try #require(server.port)
        let screenshot = server.scratch.path + "/status.png"
        let chromium = try tool("chromium")
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=\(server.scratch.path)/chromium"]
        let dom = try run("/usr/bin/timeout", ["60", chromium] + flags + ["--dump-dom", "http://127.0.0.1:\(port)/"])
        #expect(dom.status == 0, "\(dom.stderr.suffix(2000))")
        // The rendered table: one row per check, with the status the server computed.
        let rows = dom.stdout.components(separatedBy: "<tr data-check=\"").dropFirst().map { row in
            (String(row.prefix { $0 != "\"" }), row.range(of: "data-status=\"").map { String(row[$0.upperBound...].prefix { $0 != "\"" }) } ?? "")
        }
        #expect(rows.map(\.0) == ["serve-home", "serve-path", "serve-marker"], "\(dom.stdout.prefix(3000))")
        #expect(rows.map(\.1) == ["pass", "pass", "fail"])
        #expect(dom.stdout.contains("data-status=\"failing\""))
        // Catalog text is escaped, not markup: the title's <b> is text in the rendered page.
        #expect(dom.stdout.contains("The marker file &lt;b&gt;exists&lt;/b&gt; &amp; \"is\" there"), "\(dom.stdout.prefix(3000))")
        #expect(!dom.stdout.contains("<b>exists</b>"))
        let shot = try run("/usr/bin/timeout", ["60", chromium] + flags + ["--screenshot=\(screenshot)", "--window-size=1280,800", "http://127.0.0.1:\(port)/"])
        #expect(shot.status == 0, "\(shot.stderr.suffix(2000))")
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 5_000, "a real screenshot: \(png.count) bytes")
        // Width and height from the IHDR chunk.
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 1280 && height == 800)
    }

    @Test func theShippedUnitsPassSystemdAnalyzeVerify() async throws {
        let scratch = TemporaryDirectory(prefix: "doctor-units")
        let doctor = try executable("doctor")
        let names = try FileManager.default.contentsOfDirectory(atPath: repoRoot + "/contrib/systemd").sorted()
        #expect(names == ["doctor-textfile.service", "doctor-textfile.timer", "doctor.service"])
        for name in names {
            let text = try String(contentsOfFile: repoRoot + "/contrib/systemd/" + name, encoding: .utf8)
            scratch.write(name, text.replacingOccurrences(of: "/usr/local/bin/doctor", with: doctor))
        }
        let runtime = TemporaryDirectory(prefix: "doctor-units-runtime")
        let verify = try run(try tool("systemd-analyze"), ["--user", "--man=no", "verify"] + names.map { scratch.path + "/" + $0 }, environment: ["XDG_RUNTIME_DIR": runtime.path])
        // Unknown or misspelt keys are only warnings to systemd; here any output is a failure.
        #expect(verify.status == 0 && verify.stdout.isEmpty && verify.stderr.isEmpty, "\(verify.stdout)\(verify.stderr)")
        let service = try String(contentsOfFile: repoRoot + "/contrib/systemd/doctor.service", encoding: .utf8)
        for line in ["Type=notify", "WatchdogSec=", "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "RuntimeDirectoryPreserve=yes"] {
            #expect(service.contains(line))
        }
    }

    @Test func theAlertRulesPassPromtoolAndTheirUnitTests() async throws {
        let promtool = try tool("promtool")
        let check = try run(promtool, ["check", "rules", repoRoot + "/docs/prometheus/doctor-rules.yml"])
        #expect(check.status == 0 && check.stdout.contains("SUCCESS: 6 rules found"), "\(check.stdout)\(check.stderr)")
        let tests = try run(promtool, ["test", "rules", "doctor-rules.test.yml"], cwd: repoRoot + "/docs/prometheus")
        #expect(tests.status == 0, "\(tests.stdout)\(tests.stderr)")
        let config = try run(promtool, ["check", "config", repoRoot + "/docs/prometheus/scrape-config.yml"])
        #expect(config.status == 0, "\(config.stdout)\(config.stderr)")
    }
}
