/// Where and how an OTLP export goes: the endpoint (a base URL; OTLP/HTTP appends `/v1/metrics` and
/// `/v1/traces`), the transport, extra request headers, the time the whole export may take, and the resource
/// that describes the sender. Resolved from flags, variables and files by whoever starts the export (`doctor run`
/// in DoctorCLI); this type only carries the result.
public struct OTLPSettings: Sendable, Equatable {
    public enum Transport: String, CaseIterable, Sendable {
        case httpProtobuf = "http/protobuf"
        case httpJSON = "http/json"
        case grpc

        /// Where an endpoint without a port is reached: the ports of the OTLP specification.
        public var defaultEndpoint: String { self == .grpc ? "http://localhost:4317" : "http://localhost:4318" }
    }

    public var endpoint: String
    public var transport: Transport
    public var headers: [(String, String)]
    /// Seconds for the whole export: connecting, sending and reading both responses.
    public var timeout: Double
    public var serviceName: String
    public var resourceAttributes: [(String, String)]

    public init(
        endpoint: String, transport: Transport = .httpProtobuf, headers: [(String, String)] = [], timeout: Double = 10, serviceName: String = "doctor",
        resourceAttributes: [(String, String)] = []
    ) {
        self.endpoint = endpoint
        self.transport = transport
        self.headers = headers
        self.timeout = timeout
        self.serviceName = serviceName
        self.resourceAttributes = resourceAttributes
    }

    public static func == (lhs: OTLPSettings, rhs: OTLPSettings) -> Bool {
        lhs.endpoint == rhs.endpoint && lhs.transport == rhs.transport && lhs.timeout == rhs.timeout && lhs.serviceName == rhs.serviceName
            && lhs.headers.map { "\($0.0)=\($0.1)" } == rhs.headers.map { "\($0.0)=\($0.1)" }
            && lhs.resourceAttributes.map { "\($0.0)=\($0.1)" } == rhs.resourceAttributes.map { "\($0.0)=\($0.1)" }
    }
}
