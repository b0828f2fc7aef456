import DoctorCore
import DoctorExport
import DoctorTestSupport
import Foundation
import NIOCore
import NIOPosix
import Testing

/// DoctorExport's API as any command would use it (settings and a `RunReport`), against the tests' receivers:
/// python3 on the official definitions (`Tests/Fixtures/otlp/`).
@Suite(.serialized) struct OTLPExporterTests {
    static var report: RunReport {
        func check(_ id: String) -> Check {
            var values = CheckValues()
            values.id = id
            values.title = id
            values.category = "configuration"
            values.severity = .medium
            values.governance = [("soc2", ["CC6.1"])]
            values.probe = ProbeInvocation(type: "env", parameters: [], mark: SourceMark(line: 1, column: 1))
            values.location = SourceLocation(file: "checks.yaml", mark: SourceMark(line: 1, column: 1))
            return Check(values)
        }
        let results = [
            CheckResult(check: check("passes"), status: .pass, message: "set", observed: [], startedAt: 1_795_000_000.1, finishedAt: 1_795_000_000.2, duration: .milliseconds(100)),
            CheckResult(check: check("fails"), status: .fail, message: "unset", observed: [], startedAt: 1_795_000_000.1, finishedAt: 1_795_000_000.3, duration: .milliseconds(200)),
        ]
        return RunReport(
            toolVersion: "9.9.9", catalogDigest: String(repeating: "cd", count: 32), host: "host-2", startedAt: 1_795_000_000, finishedAt: 1_795_000_001,
            selection: Selection(), results: results)
    }

    func settings(_ endpoint: String, _ transport: OTLPSettings.Transport, timeout: Double = 10) -> OTLPSettings {
        OTLPSettings(endpoint: endpoint, transport: transport, headers: [("x-api-key", "k1")], timeout: timeout, serviceName: "exporter-test", resourceAttributes: [("team", "sec")])
    }

    /// The export's failure, or nil when it succeeded.
    func failure(_ settings: OTLPSettings, prefix: String = "pds", group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async -> OTLPExportError? {
        do {
            try await OTLPExporter(settings: settings, prefix: prefix, group: group).export(Self.report)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [OTLPSettings.Transport.httpProtobuf, .httpJSON, .grpc])
    func exportsBothSignals(_ transport: OTLPSettings.Transport) async throws {
        let receiver = try OTLPReceiver(grpc: transport == .grpc)
        // A caller's own event loops (as `doctor serve` has) work as well as the shared ones.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let error = await failure(settings(receiver.endpoint, transport), prefix: "acme", group: group)
        try await group.shutdownGracefully()
        #expect(error == nil, "\(String(describing: error))")
        let records = try receiver.received()
        #expect(records.map { $0["path"] as? String } == ["/v1/metrics", "/v1/traces"])
        let contentType = ["http/protobuf": "application/x-protobuf", "http/json": "application/json", "grpc": "application/grpc"][transport.rawValue]
        #expect(records.allSatisfy { $0["content_type"] as? String == contentType })
        #expect(records.allSatisfy { ($0["headers"] as? [String: Any])?["x-api-key"] as? String == "k1" })
        let resource = records.first?["resource"] as? [String: Any] ?? [:]
        #expect(resource["service.name"] as? String == "exporter-test")
        #expect(resource["host.name"] as? String == "host-2")
        #expect(resource["team"] as? String == "sec")
        #expect(resource["service.version"] as? String == "9.9.9")
        let metrics = records.first?["metrics"] as? [[String: Any]] ?? []
        #expect(metrics.first?["name"] as? String == "acme_doctor_check")
        let values = (metrics.first?["points"] as? [[String: Any]] ?? []).map { $0["value"] as? Double }
        #expect(values == [0, 1])
        #expect((records.last?["spans"] as? [Any])?.count == 3)
    }

    @Test func aGRPCStatusOtherThanOKFailsTheExportWithItsNameAndMessage() async throws {
        let receiver = try OTLPReceiver(mode: "fail", grpc: true)
        let error = await failure(settings(receiver.endpoint, .grpc))
        #expect(error?.description == "\(receiver.endpoint)/opentelemetry.proto.collector.metrics.v1.MetricsService/Export: the receiver answered with a gRPC error: grpc-status 14 (UNAVAILABLE): receiver off")
    }

    @Test func aZeroMaxFrameSizeIsAProtocolErrorNamedAsSuch() async throws {
        let receiver = try HostileOTLPReceiver(mode: "zero-frame-size")
        let started = Date()
        let error = await failure(settings(receiver.endpoint, .grpc, timeout: 20))
        #expect(error?.description.contains("MetricsService/Export: the receiver sent SETTINGS_MAX_FRAME_SIZE 0, outside 16384…16777215 (HTTP/2 PROTOCOL_ERROR") == true, "\(String(describing: error))")
        #expect(Date().timeIntervalSince(started) < 15)
    }

    /// Connect, request and response share one deadline: a receiver that never answers ends the export at it.
    @Test(arguments: [OTLPSettings.Transport.httpProtobuf, .grpc])
    func aSlowReceiverEndsAtTheTimeout(_ transport: OTLPSettings.Transport) async throws {
        let receiver = try OTLPReceiver(mode: "slow", grpc: transport == .grpc)
        let started = Date()
        let error = await failure(settings(receiver.endpoint, transport, timeout: 1))
        let elapsed = Date().timeIntervalSince(started)
        #expect(error?.description.contains("waiting for the response did not finish before the export timeout (1s)") == true, "\(String(describing: error))")
        #expect(elapsed >= 0.9 && elapsed < 5, "\(elapsed)")
    }

    /// The export's deadline measures the receiver, not the caller: while the task that started the export cannot
    /// run (its executor blocked for longer than the timeout, as a loaded cooperative pool was in the full test
    /// suite), both signals are still sent and answered, and the task reads a success once it runs again. An
    /// exporter that came back to the caller between the two requests failed here with "connecting did not
    /// finish before the export timeout".
    @Test(arguments: [OTLPSettings.Transport.httpProtobuf, .grpc])
    func aCallerThatCannotRunDoesNotUseUpTheTimeout(_ transport: OTLPSettings.Transport) async throws {
        let receiver = try OTLPReceiver(grpc: transport == .grpc)
        let executor = BlockableExecutor()
        let settings = settings(receiver.endpoint, transport, timeout: 3)
        let export = Task(executorPreference: executor) { await failure(settings) }
        executor.block(seconds: 5)
        let error = await export.value
        #expect(error == nil, "\(String(describing: error))")
        #expect(try receiver.received().map { $0["path"] as? String }.count == 2)
    }

    @Test func aClosedPortAndAnHTTPSEndpointAreClearErrors() async throws {
        #expect(await failure(settings("http://127.0.0.1:9", .httpProtobuf))?.description == "http://127.0.0.1:9/v1/metrics: cannot connect: Connection refused")
        #expect(await failure(settings("http://127.0.0.1:9", .grpc))?.description
            == "http://127.0.0.1:9/opentelemetry.proto.collector.metrics.v1.MetricsService/Export: cannot connect: Connection refused")
        #expect(await failure(settings("https://collector.example:4318", .httpJSON))?.description.contains(
            "https://collector.example:4318/v1/metrics: only http:// endpoints are supported") == true)
        #expect(await failure(settings("http://127.0.0.1:99999", .httpJSON))?.description == "http://127.0.0.1:99999/v1/metrics: the port is not a number from 1 to 65535")
    }
}
