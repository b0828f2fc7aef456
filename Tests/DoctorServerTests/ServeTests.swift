import DoctorTestSupport
import Foundation
import Testing

/// `doctor serve` as a process, asked by real clients: curl over the Unix socket, Prometheus, Chromium, and a
/// Python client for faults.
@Suite struct ServeTests {
    @Test func everyEndpointAnswersOverTheUnixSocket() async throws {
        let markerDirectory = TemporaryDirectory(prefix: "doctor-marker")
        let marker = markerDirectory.path + "/marker"
        let server = try await ServeProcess(catalog: serveCatalog(marker: marker))

        // The socket: 0600 in a 0700 directory the server made.
        var info = stat()
        #expect(lstat(server.socket, &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK && info.st_mode & 0o777 == 0o600)
        #expect(lstat((server.socket as NSString).deletingLastPathComponent, &info) == 0 && info.st_mode & 0o777 == 0o700)

        // /health: failing (503) while the marker is missing, per category; a filter that leaves it out is ok.
        let health = try server.curl("/health")
        #expect(health.status == 503, "\(health.body)")
        #expect(health.json["status"] as? String == "failing")
        #expect(health.json["checks"] as? [String: String] == ["configuration": "ok", "vault-integrity": "failing"])
        #expect((health.json["last_run"] as? [String: Any])?["run"] as? Int == 1)
        #expect(health.headers["age"] != nil && health.headers["content-type"] == "application/json")
        let configuration = try server.curl("/health?category=configuration")
        #expect(configuration.status == 200 && configuration.json["status"] as? String == "ok", "\(configuration.body)")
        #expect(try server.curl("/health?governance=soc2").json["summary"].flatMap { ($0 as? [String: Int])?["total"] } == 1)

        // /metrics: the formatter's exposition plus the server's own families, accepted by promtool.
        let metrics = try server.curl("/metrics")
        #expect(metrics.status == 200 && metrics.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(metrics.body.contains("pds_doctor_check{name=\"serve-marker\",category=\"vault-integrity\"} 1\n"))
        #expect(metrics.body.contains("pds_doctor_check{name=\"serve-home\",category=\"configuration\"} 0\n"))
        #expect(metrics.body.contains("pds_doctor_serve_runs_total 1\n"))
        let exposition = server.scratch.write("metrics.prom", metrics.body)
        let lint = try run("/bin/sh", ["-c", "\(try tool("promtool")) check metrics < \(exposition)"])
        #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
        #expect(!(try server.curl("/metrics?severity=critical").body.contains("serve-home")))

        // /checks: the JSON report, valid against its schema, filtered.
        let checks = try server.curl("/checks?severity=medium")
        #expect(checks.status == 200)
        #expect((checks.json["checks"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["serve-path", "serve-marker"])
        let report = server.scratch.write("report.json", try server.curl("/checks").body)
        #expect(try run(try tool("check-jsonschema"), ["--schemafile", repoRoot + "/schemas/report.schema.json", report]).status == 0)

        // /: the status page, with every endpoint linked and catalog text escaped.
        let page = try server.curl("/?category=vault-integrity")
        #expect(page.status == 200 && page.headers["content-type"] == "text/html; charset=utf-8")
        for link in ["metrics", "health", "checks", "events"] { #expect(page.body.contains("href=\"\(link)?category=vault-integrity\"")) }
        #expect(page.body.contains("data-check=\"serve-marker\" data-status=\"fail\""))
        #expect(!page.body.contains("data-check=\"serve-home\""))

        // On demand: POST /run reruns (the results are older than --min-age 0), and the fix shows.
        #expect(FileManager.default.createFile(atPath: marker, contents: Data()))
        let rerun = try server.curl("/run", method: "POST")
        #expect(rerun.status == 200 && (rerun.json["summary"] as? [String: Int])?["pass"] == 3, "\(rerun.body)")
        let healthy = try server.curl("/health")
        #expect(healthy.status == 200 && healthy.json["status"] as? String == "ok")
        #expect((healthy.json["last_run"] as? [String: Any])?["run"] as? Int == 2)
        // Formatted bodies are cached per run: the new run's are served, not the first one's.
        #expect(try server.curl("/metrics").body.contains("pds_doctor_check{name=\"serve-marker\",category=\"vault-integrity\"} 0\n"))
        #expect((try server.curl("/checks").json["summary"] as? [String: Int])?["fail"] == 0)

        // HEAD, bad filters, unknown paths and methods.
        let head = try server.curl("/health", method: "HEAD")
        #expect(head.status == 200 && Int(head.headers["content-length"] ?? "") ?? 0 > 100 && head.body.hasPrefix("HTTP/1.1 200"))
        let bad = try server.curl("/metrics?severity=urgent")
        #expect(bad.status == 400 && bad.body.contains("unknown severity 'urgent'"))
        #expect(try server.curl("/checks?governance=hipaa").status == 400)
        #expect(try server.curl("/checks?category=nope").status == 400)
        #expect(try server.curl("/nothing").status == 404)
        let wrongMethod = try server.curl("/health", method: "DELETE")
        #expect(wrongMethod.status == 405 && wrongMethod.headers["allow"] == "GET, HEAD")
        #expect(await server.terminate() == 0)
        #expect(!FileManager.default.fileExists(atPath: server.socket), "the socket file is removed on exit")
    }

    @Test func resultsYoungerThanTheMinimumAgeAreNotRerun() async throws {
        let server = try await ServeProcess(catalog: serveCatalog(marker: "/nonexistent"), arguments: ["--min-age", "1h"])
        #expect(try server.curl("/checks?max_age=0").headers["x-doctor-run"] == "1")
        #expect(try server.curl("/run", method: "POST").headers["x-doctor-run"] == "1")
        #expect(try server.curl("/health?max_age=-1").status == 400)
    }

    @Test func eventsArriveInOrderWhileARunHappens() async throws {
        let server = try await ServeProcess(catalog: serveCatalog(marker: "/nonexistent"))
        let all = server.scratch.path + "/events.txt", filtered = server.scratch.path + "/filtered.txt"
        let clients = try [(all, "/events"), (filtered, "/events?category=configuration")].map { file, target in
            try ChildProcess([try tool("curl"), "-s", "-N", "--max-time", "30", "-o", file, "--unix-socket", server.socket, "http://doctor\(target)"])
        }
        for file in [all, filtered] {
            #expect(await ChildProcess.waitFor(seconds: 10) { ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").contains("retry:") })
        }
        #expect(try server.curl("/run", method: "POST").status == 200)
        for file in [all, filtered] {
            #expect(await ChildProcess.waitFor(seconds: 10) { ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").contains("event: run-finished") })
        }
        let events = ServerSentEvents.parse((try? String(contentsOfFile: all, encoding: .utf8)) ?? "")
        #expect(events.map(\.name) == ["run-started", "check", "check", "check", "run-finished"], "\(events)")
        #expect(events.first?.id == "2" && events.last?.id == "2")
        let sequence = events.filter { $0.name == "check" }.compactMap { Int($0.id.split(separator: ".").last ?? "") }
        #expect(sequence == [1, 2, 3])
        let ids = events.filter { $0.name == "check" }.compactMap { $0.json["id"] as? String }
        #expect(Set(ids) == ["serve-home", "serve-path", "serve-marker"])
        #expect((events.last?.json["summary"] as? [String: Int])?["fail"] == 1)
        let onlyConfiguration = ServerSentEvents.parse((try? String(contentsOfFile: filtered, encoding: .utf8)) ?? "")
        #expect(onlyConfiguration.filter { $0.name == "check" }.compactMap { $0.json["category"] as? String } == ["configuration", "configuration"])
        #expect(onlyConfiguration.last?.json["status"] as? String == "ok")
        // Shutdown ends the streams, and the clients exit cleanly.
        #expect(await server.terminate() == 0)
        for client in clients {
            let status = await client.wait()
            #expect(status == 0)
        }
    }

    @Test func theSocketPathIsGuarded() async throws {
        let catalog = serveCatalog(marker: "/nonexistent")
        // A stale socket file (its listener died) is replaced.
        let stale = TemporaryDirectory(prefix: "doctor-stale-serve")
        let path = stale.path + "/doctor.sock"
        try await ChildProcess(["/usr/bin/python3", "-c", "import socket; s = socket.socket(socket.AF_UNIX); s.bind('\(path)'); s.listen(1)"]).wait()
        let server = try await ServeProcess(catalog: catalog, socket: path)
        #expect(server.output.contains("replaced the stale socket \(path)"))
        #expect(try server.curl("/health").status == 503)

        // A live server on it: refused with 69, and the first one keeps its socket.
        let second = try await ServeProcess(catalog: catalog, socket: path, waitForRun: false)
        #expect(await second.process.wait() == 69)
        #expect(second.output.contains("another server is listening there"))
        #expect(try server.curl("/health").status == 503)

        // A regular file is never removed.
        let file = stale.write("not-a-socket", "keep me")
        let refused = try await ServeProcess(catalog: catalog, socket: file, waitForRun: false)
        #expect(await refused.process.wait() == 69 && refused.output.contains("is not a socket"))
        #expect(stale.read("not-a-socket") == "keep me")

        // TCP: loopback only, unless asked.
        let remote = try await ServeProcess(catalog: catalog, arguments: ["--no-socket", "--listen", "0.0.0.0:0"], waitForRun: false)
        #expect(await remote.process.wait() == 64 && remote.output.contains("--allow-remote"))
        let allowed = try await ServeProcess(catalog: catalog, arguments: ["--no-socket", "--listen", "0.0.0.0:0", "--allow-remote"], waitForRun: false)
        #expect(allowed.output.contains("warning: listening on 0.0.0.0:0, reachable from other hosts"))
        #expect(allowed.output.contains("serving on http://0.0.0.0:"))
    }
}

extension ServeTests {
    /// A silent client, a subscriber that drops, 1,000 connections at once, and a run that hangs on a check for
    /// 3 s: the server keeps answering throughout (Tests/Fixtures/serve/faults.py).
    @Test func theServerKeepsAnsweringThroughFaults() async throws {
        let silent = SilentSocket()
        let key = silent.directory.write("bus.pub", String(repeating: "k", count: 32))
        let catalog = serveCatalog(marker: "/nonexistent") + """
            - id: serve-hangs
              title: A bus that never answers
              category: ipc-connectivity
              severity: high
              timeout: 3s
              probe: {type: noise-ik, socket: "\(silent.path)", server_key: "\(key)"}
              expect: {handshake: true}

            """
        let server = try await ServeProcess(catalog: catalog, arguments: ["--idle-timeout", "1s"])
        // Run without holding a thread of the test pool for its 7 s.
        let output = server.scratch.path + "/faults.json"
        let client = try ChildProcess([try tool("python3"), repoRoot + "/Tests/Fixtures/serve/faults.py", server.socket], stdout: output)
        #expect(await client.wait() == 0, "\(server.scratch.read("faults.json") ?? "")")
        withExtendedLifetime(silent) {}
        let seen = ((try? JSONSerialization.jsonObject(with: Data((server.scratch.read("faults.json") ?? "").utf8))) as? [String: Any]) ?? [:]
        let closedAfter = (seen["silent"] as? [String: Any])?["closed_after"] as? Double
        #expect(closedAfter.map { $0 >= 0.9 && $0 < 5 } == true, "a silent client is closed after the 1 s idle timeout: \(seen)")
        #expect(seen["dropped_subscriber_saw_stream"] as? Bool == true)
        #expect(seen["answered_of_1000"] as? Int == 1000, "\(seen)")
        let hung = seen["hung_run"] as? [String: Any] ?? [:]
        #expect(hung["health_status"] as? Int == 503 && hung["run_in_progress"] as? Bool == true, "\(hung)")
        #expect((hung["health_seconds"] as? Double ?? 99) < 1, "/health waits for no run: \(hung)")
        #expect(hung["run_status"] as? Int == 200 && hung["run_error"] as? Int == 1, "the hung check ends as an error at its timeout: \(hung)")
        #expect(seen["health_after"] as? Int == 503)
        #expect(try server.curl("/metrics").body.contains("pds_doctor_serve_event_subscribers 0\n"), "the dropped subscriber is gone")
        #expect(await server.terminate() == 0)
    }

    /// systemd's notification protocol, received on a datagram socket as systemd would: READY=1 after the first
    /// run, watchdog pings within WatchdogSec, STOPPING=1 on SIGTERM, then a clean exit.
    @Test func readinessWatchdogAndStoppingAreNotified() async throws {
        let scratch = TemporaryDirectory(prefix: "doctor-notify")
        let notifySocket = scratch.path + "/notify.sock", received = scratch.path + "/received.jsonl"
        let receiver = try ChildProcess(["/usr/bin/python3", repoRoot + "/Tests/Fixtures/serve/notify_receiver.py", notifySocket], stdout: received)
        func messages() -> [String] {
            ((try? String(contentsOfFile: received, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: String])?["message"]
            }
        }
        #expect(await ChildProcess.waitFor(seconds: 10) { scratch.read("received.jsonl")?.contains("listening") == true })
        let server = try await ServeProcess(
            catalog: serveCatalog(marker: "/nonexistent"),
            environment: ["NOTIFY_SOCKET": notifySocket, "WATCHDOG_USEC": "400000"])
        #expect(await ChildProcess.waitFor(seconds: 10) { messages().filter { $0 == "WATCHDOG=1" }.count >= 3 }, "pings every 200 ms: \(messages())")
        let ready = messages().first { $0.hasPrefix("READY=1") }
        #expect(ready == "READY=1\nSTATUS=run 1: 2 pass, 0 warn, 1 fail, 0 error, 0 skip", "\(messages())")
        #expect(await server.terminate() == 0)
        #expect(await ChildProcess.waitFor(seconds: 5) { messages().contains("STOPPING=1\nSTATUS=draining") }, "\(messages())")
        withExtendedLifetime(receiver) {}
    }
}

/// Server-Sent Events as a client reads them.
struct ServerSentEvents {
    var name: String
    var id: String
    var data: String
    var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any]) ?? [:] }

    static func parse(_ text: String) -> [ServerSentEvents] {
        text.components(separatedBy: "\n\n").compactMap { block in
            var name = "message", id = "", data: [String] = []
            for line in block.split(separator: "\n") where !line.hasPrefix(":") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("id: ") { id = String(line.dropFirst(4)) }
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            return data.isEmpty ? nil : ServerSentEvents(name: name, id: id, data: data.joined(separator: "\n"))
        }
    }
}
