/// The protobuf field numbers `OTLPEncoder` writes, one table per message, as the opentelemetry-proto
/// definitions (v1) number them: `collector/{metrics,trace}/v1/*_service.proto`, `metrics/v1/metrics.proto`,
/// `trace/v1/trace.proto`, `common/v1/common.proto` and `resource/v1/resource.proto`. Only the fields doctor
/// sends; the tests decode what it sends with the official definitions and fail on any unknown field.
enum OTLPField {
    enum ExportMetricsServiceRequest {
        static let resourceMetrics = 1
    }

    enum ExportTraceServiceRequest {
        static let resourceSpans = 1
    }

    /// `ResourceMetrics` and `ResourceSpans` number their fields alike.
    enum ResourceItems {
        static let resource = 1
        /// `scope_metrics` or `scope_spans`.
        static let scopeItems = 2
    }

    /// `ScopeMetrics` and `ScopeSpans` number their fields alike.
    enum ScopeItems {
        static let scope = 1
        /// `metrics` or `spans`.
        static let items = 2
    }

    enum Resource {
        static let attributes = 1
    }

    enum InstrumentationScope {
        static let name = 1
        static let version = 2
    }

    enum Metric {
        static let name = 1
        static let description = 2
        static let unit = 3
        static let gauge = 5
    }

    enum Gauge {
        static let dataPoints = 1
    }

    enum NumberDataPoint {
        static let timeUnixNano = 3
        static let asDouble = 4
        static let attributes = 7
    }

    enum Span {
        static let traceID = 1
        static let spanID = 2
        static let parentSpanID = 4
        static let name = 5
        static let kind = 6
        static let startTimeUnixNano = 7
        static let endTimeUnixNano = 8
        static let attributes = 9
        static let status = 15

        /// `Span.SpanKind`.
        static let kindInternal: UInt64 = 1
    }

    enum Status {
        static let message = 2
        static let code = 3
    }

    enum KeyValue {
        static let key = 1
        static let value = 2
    }

    enum AnyValue {
        static let stringValue = 1
        static let boolValue = 2
        static let intValue = 3
        static let doubleValue = 4
        static let arrayValue = 5
    }

    enum ArrayValue {
        static let values = 1
    }
}
