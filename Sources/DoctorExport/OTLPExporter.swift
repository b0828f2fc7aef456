public import DoctorCore
import DoctorFormatters
public import NIOCore
import NIOPosix

/// Sends a run to an OTLP receiver, metrics then traces, over OTLP/HTTP (protobuf or JSON bodies; NIOHTTP1) or
/// OTLP/gRPC (NIOHTTP2). The whole export, connecting included, is bounded by the settings' timeout; a receiver
/// that is down, slow, refuses the data or breaks the protocol ends it with an `OTLPExportError` naming the
/// URL and the cause. Usable by any command that has a `RunReport`: `doctor run` uses it for `--format otlp`.
public struct OTLPExporter: Sendable {
    public let settings: OTLPSettings
    /// The metric name prefix (`<prefix>_doctor_check`…).
    public let prefix: String
    let group: any EventLoopGroup

    /// - Parameter group: where the connections run; by default NIO's shared event loops.
    public init(settings: OTLPSettings, prefix: String = "pds", group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.settings = settings
        self.prefix = prefix
        self.group = group
    }

    public func export(_ report: RunReport) async throws(OTLPExportError) {
        var attributes = settings.resourceAttributes
        if !attributes.contains(where: { $0.0 == "host.name" }) { attributes.append(("host.name", report.host)) }
        attributes.append(("service.version", report.toolVersion))
        let encoder = OTLPEncoder(resource: .init(serviceName: settings.serviceName, attributes: attributes), prefix: prefix)
        // At most `DurationText.longest` (100 years) in nanoseconds: far below Int64's limit.
        let deadline = NIODeadline.now() + .nanoseconds(Int64(DurationText.clock(settings.timeout) / .nanoseconds(1)))
        let timeoutText = DurationText.format(seconds: settings.timeout)
        switch settings.transport {
        case .grpc:
            let client = OTLPGRPCClient(group: group, headers: settings.headers, deadline: deadline, timeoutText: timeoutText)
            try await client.export(base: settings.endpoint, calls: [
                ("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", encoder.metricsProtobuf(report)),
                ("/opentelemetry.proto.collector.trace.v1.TraceService/Export", encoder.tracesProtobuf(report)),
            ])
        case .httpProtobuf, .httpJSON:
            let json = settings.transport == .httpJSON
            let client = OTLPHTTPClient(group: group, headers: settings.headers, deadline: deadline, timeoutText: timeoutText)
            let metrics = try OTLPEndpoint(base: settings.endpoint, appending: "/v1/metrics", defaultPort: 80)
            let traces = try OTLPEndpoint(base: settings.endpoint, appending: "/v1/traces", defaultPort: 80)
            let contentType = json ? "application/json" : "application/x-protobuf"
            try await client.post([
                .init(endpoint: metrics, contentType: contentType, body: json ? Array(encoder.metricsJSON(report).utf8) : encoder.metricsProtobuf(report)),
                .init(endpoint: traces, contentType: contentType, body: json ? Array(encoder.tracesJSON(report).utf8) : encoder.tracesProtobuf(report)),
            ])
        }
    }
}
