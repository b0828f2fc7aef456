import DoctorTestSupport
import Foundation
import Testing

@Suite(.serialized) struct OTLPTests {
    static let catalog = EndToEndTests.pass + EndToEndTests.fail + EndToEndTests.skip
        + "- id: governed\n  title: governed\n  category: crypto-posture\n  severity: critical\n  governance: {pci-dss: [\"3.6.1\"], soc2: [CC6.1]}\n  probe: {type: env, name: HOME}\n"

    func runExport(_ receiver: OTLPReceiver, _ extra: [String] = [], environment: [String: String?] = [:]) throws -> Completed {
        let scratch = TemporaryDirectory()
        scratch.write("checks.yaml", Self.catalog)
        var env = environment
        env["DOCTOR_E2E"] = "w"
        env["DOCTOR_OBSERVABILITY_TOML"] = env["DOCTOR_OBSERVABILITY_TOML"] ?? "/nonexistent/observability.toml"
        return try doctor(["run", "--catalog", scratch.path, "--format", "text", "--format", "otlp=\(receiver.endpoint)"] + extra, environment: env)
    }

    func verify(_ records: [[String: Any]], contentType: String) {
        #expect(records.map { $0["path"] as? String } == ["/v1/metrics", "/v1/traces"])
        #expect(records.allSatisfy { $0["content_type"] as? String == contentType })
        guard records.count == 2 else { return }
        let metrics = records[0]["metrics"] as? [[String: Any]] ?? []
        #expect(metrics.map { $0["name"] as? String } == ["pds_doctor_check", "pds_doctor_check_duration_seconds", "pds_doctor_checks", "pds_doctor_run_duration_seconds"])
        let checks = metrics.first?["points"] as? [[String: Any]] ?? []
        let byID = Dictionary(uniqueKeysWithValues: checks.compactMap { point -> (String, [String: Any])? in
            guard let attributes = point["attributes"] as? [String: Any], let id = attributes["check.id"] as? String else { return nil }
            return (id, point)
        })
        #expect(Set(byID.keys) == ["home-set", "fails", "skips", "governed"])
        #expect(byID["fails"]?["value"] as? Double == 1)
        #expect(byID["home-set"]?["value"] as? Double == 0)
        #expect(byID["skips"]?["value"] as? Double == 3)
        let governed = byID["governed"]?["attributes"] as? [String: Any] ?? [:]
        #expect(governed["check.category"] as? String == "crypto-posture")
        #expect(governed["check.severity"] as? String == "critical")
        #expect(governed["check.status"] as? String == "pass")
        #expect(governed["check.governance"] as? [String] == ["pci-dss:3.6.1", "soc2:CC6.1"])
        let spans = records[1]["spans"] as? [[String: Any]] ?? []
        #expect(spans.count == 5)
        let root = spans.first { $0["name"] as? String == "doctor run" }
        let rootID = root?["span_id"] as? String ?? "?"
        #expect(root?["parent"] as? String == "")
        #expect(root?["status_code"] as? Int == 2)
        let children = spans.filter { $0["name"] as? String != "doctor run" }
        #expect(children.count == 4)
        #expect(children.allSatisfy { $0["parent"] as? String == rootID && $0["trace_id"] as? String == root?["trace_id"] as? String })
        let failed = children.first { $0["name"] as? String == "fails" }
        #expect(failed?["status_code"] as? Int == 2)
        #expect((failed?["status_message"] as? String)?.contains(#"expected == "expected-value""#) == true)
        #expect(children.first { $0["name"] as? String == "home-set" }?["status_code"] as? Int == 1)
        #expect(children.allSatisfy { ($0["end"] as? Int ?? 0) >= ($0["start"] as? Int ?? 1) })
    }

    @Test func protobufOverHTTP() throws {
        let receiver = try OTLPReceiver()
        let result = try runExport(receiver)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stdout.contains("4 checks:"))
        verify(try receiver.received(), contentType: "application/x-protobuf")
    }

    @Test func jsonOverHTTPWithResourceAndHeadersFromTheVariables() throws {
        let receiver = try OTLPReceiver()
        let result = try runExport(receiver, environment: [
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json", "OTEL_SERVICE_NAME": "doctor-ci",
            "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=test,team=sec", "OTEL_EXPORTER_OTLP_HEADERS": "x-api-key=s3cret",
        ])
        #expect(result.status == 2, "\(result.stderr)")
        let records = try receiver.received()
        verify(records, contentType: "application/json")
        let resource = records.first?["resource"] as? [String: Any] ?? [:]
        #expect(resource["service.name"] as? String == "doctor-ci")
        #expect(resource["deployment.environment"] as? String == "test")
        #expect(resource["team"] as? String == "sec")
        #expect(resource["service.version"] as? String != nil)
        #expect((records.first?["headers"] as? [String: Any])?["x-api-key"] as? String == "s3cret")
    }

    @Test func observabilityTomlAndItsPrecedence() throws {
        let receiver = try OTLPReceiver()
        let scratch = TemporaryDirectory()
        let toml = scratch.write("observability.toml", """
            [otlp]
            protocol = "http/json"
            service_name = "from-toml"
            timeout_ms = 5000
            [otlp.headers]
            x-team = "toml"
            """)
        // The file's protocol and service name apply; the variable beats the file for the service name.
        _ = try runExport(receiver, environment: ["DOCTOR_OBSERVABILITY_TOML": toml])
        _ = try runExport(receiver, environment: ["DOCTOR_OBSERVABILITY_TOML": toml, "OTEL_SERVICE_NAME": "from-env"])
        _ = try runExport(receiver, ["--otlp-protocol", "http/protobuf"], environment: ["DOCTOR_OBSERVABILITY_TOML": toml])
        let records = try receiver.received().filter { $0["path"] as? String == "/v1/metrics" }
        #expect(records.map { ($0["resource"] as? [String: Any])?["service.name"] as? String } == ["from-toml", "from-env", "from-toml"])
        #expect(records.map { $0["content_type"] as? String } == ["application/json", "application/json", "application/x-protobuf"])
        #expect(records.allSatisfy { ($0["headers"] as? [String: Any])?["x-team"] as? String == "toml" })
    }

    @Test func grpc() throws {
        let receiver = try OTLPReceiver(grpc: true)
        let result = try runExport(receiver, ["--otlp-protocol", "grpc", "--otlp-header", "x-api-key=g"])
        #expect(result.status == 2, "\(result.stderr)")
        let records = try receiver.received()
        verify(records, contentType: "application/grpc")
        #expect((records.first?["headers"] as? [String: Any])?["x-api-key"] as? String == "g")
    }

    @Test func grpcWithALargeExportUsesFlowControl() throws {
        // 800 checks: the trace request is well over HTTP/2's initial 64 KiB window.
        let receiver = try OTLPReceiver(grpc: true)
        let scratch = TemporaryDirectory()
        scratch.write("checks.yaml", (0..<800).map { envCheck("home-\($0)", "HOME") }.joined())
        let result = try doctor(["run", "--catalog", scratch.path, "--format", "otlp=\(receiver.endpoint)", "--otlp-protocol", "grpc"], environment: ["DOCTOR_OBSERVABILITY_TOML": "/nonexistent"])
        #expect(result.status == 0, "\(result.stderr)")
        let spans = try receiver.received().first { $0["path"] as? String == "/v1/traces" }?["spans"] as? [[String: Any]]
        #expect(spans?.count == 801)
    }

    @Test func aFailingGRPCReceiverIsAClearError() throws {
        let receiver = try OTLPReceiver(mode: "fail", grpc: true)
        let scratch = TemporaryDirectory()
        scratch.write("checks.yaml", EndToEndTests.pass)
        let result = try doctor(["run", "--catalog", scratch.path, "--format", "otlp=\(receiver.endpoint)", "--otlp-protocol", "grpc"], environment: ["DOCTOR_OBSERVABILITY_TOML": "/nonexistent"])
        #expect(result.status == 73)
        // grpcio's abort: a trailers-only response, read for its status and message.
        #expect(result.stderr.contains("MetricsService/Export: the receiver answered with a gRPC error: grpc-status 14 (UNAVAILABLE): receiver off"), "\(result.stderr)")
    }

    /// Receivers that break HTTP/2 or HTTP/1.1 on purpose, or refuse late (`Fixtures/otlp/hostile_receiver.py`):
    /// a zero SETTINGS_MAX_FRAME_SIZE once made the exporter send empty DATA frames until the timeout; a
    /// response message followed by grpc-status 14 counted as a success (grpc-status was never read); a
    /// Content-Length near Int.max trapped on an overflow. Each now ends at once as a clean export error.
    @Test(arguments: [("zero-frame-size", "grpc", "SETTINGS_MAX_FRAME_SIZE 0, outside 16384…16777215"),
                      ("status-after-message", "grpc", "MetricsService/Export: the receiver answered with a gRPC error: grpc-status 14 (UNAVAILABLE): receiver off"),
                      ("huge-content-length", "http/protobuf", "the response ended before the body its Content-Length announced")])
    func aReceiverThatBreaksTheProtocolIsACleanExportError(_ mode: String, _ protocolName: String, _ message: String) throws {
        let receiver = try HostileOTLPReceiver(mode: mode)
        let scratch = TemporaryDirectory()
        scratch.write("checks.yaml", EndToEndTests.pass)
        let started = Date()
        let result = try doctor(["run", "--catalog", scratch.path, "--format", "otlp=\(receiver.endpoint)", "--otlp-protocol", protocolName, "--otlp-timeout", "20s"],
            environment: ["DOCTOR_OBSERVABILITY_TOML": "/nonexistent"])
        #expect(result.status == 73, "\(result.status) \(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        // Refused on sight, well before the 20 s export timeout.
        #expect(Date().timeIntervalSince(started) < 15)
    }

    /// The export timeout bounds a gRPC call too: a receiver that never answers ends the export at it.
    @Test func aSlowGRPCReceiverEndsAtTheTimeout() throws {
        let receiver = try OTLPReceiver(mode: "slow", grpc: true)
        let scratch = TemporaryDirectory()
        scratch.write("checks.yaml", EndToEndTests.pass)
        let started = Date()
        let result = try doctor(["run", "--catalog", scratch.path, "--format", "otlp=\(receiver.endpoint)", "--otlp-protocol", "grpc", "--otlp-timeout", "1s"],
            environment: ["DOCTOR_OBSERVABILITY_TOML": "/nonexistent"])
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(result.status == 73)
        #expect(result.stderr.contains("MetricsService/Export: waiting for the response did not finish before the export timeout (1s)"), "\(result.stderr)")
    }

    /// No TLS in this build: an https endpoint is refused at once, saying so, whatever the transport.
    @Test(arguments: ["http/protobuf", "grpc"]) func anHTTPSEndpointIsRefusedWithTheReason(_ protocolName: String) throws {
        let scratch = TemporaryDirectory()
        scratch.write("checks.yaml", EndToEndTests.pass)
        let result = try doctor(["run", "--catalog", scratch.path, "--format", "otlp=https://127.0.0.1:9", "--otlp-protocol", protocolName],
            environment: ["DOCTOR_OBSERVABILITY_TOML": "/nonexistent"])
        #expect(result.status == 73)
        #expect(result.stderr.contains("doctor: otlp: https://127.0.0.1:9/"), "\(result.stderr)")
        #expect(result.stderr.contains(": only http:// endpoints are supported (this build has no TLS; put a collector on loopback in front of a TLS one)"), "\(result.stderr)")
    }

    @Test func anUnreachableSlowOrFailingReceiverIsAClearErrorAndTheOtherSinksStillWrite() throws {
        let scratch = TemporaryDirectory()
        scratch.write("checks.yaml", EndToEndTests.pass)
        let prom = scratch.path + "/doctor.prom"
        // Nothing listens on this port.
        let closed = try doctor(["run", "--catalog", scratch.path, "--format", "prometheus=\(prom)", "--format", "otlp=http://127.0.0.1:9", "--format", "text"],
            environment: ["DOCTOR_OBSERVABILITY_TOML": "/nonexistent"])
        #expect(closed.status == 73, "\(closed.stderr)")
        #expect(closed.stderr.contains("doctor: otlp: http://127.0.0.1:9/v1/metrics: cannot connect: Connection refused"), "\(closed.stderr)")
        #expect(FileManager.default.fileExists(atPath: prom))
        #expect(closed.stdout.contains("1 check: 1 passed"))

        let slow = try OTLPReceiver(mode: "slow")
        let started = Date()
        let timedOut = try doctor(["run", "--catalog", scratch.path, "--format", "otlp=\(slow.endpoint)", "--otlp-timeout", "1s"], environment: ["DOCTOR_OBSERVABILITY_TOML": "/nonexistent"])
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(timedOut.status == 73)
        #expect(timedOut.stderr.contains("/v1/metrics: waiting for the response did not finish before the export timeout (1s)"), "\(timedOut.stderr)")

        let failing = try OTLPReceiver(mode: "fail")
        let refused = try doctor(["run", "--catalog", scratch.path, "--format", "otlp=\(failing.endpoint)"], environment: ["DOCTOR_OBSERVABILITY_TOML": "/nonexistent"])
        #expect(refused.status == 73)
        #expect(refused.stderr.contains("/v1/metrics answered 500 Internal Server Error: receiver off"), "\(refused.stderr)")
    }
}
