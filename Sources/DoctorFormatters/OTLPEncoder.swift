public import DoctorCore

/// A run as OpenTelemetry data: `ExportMetricsServiceRequest` and `ExportTraceServiceRequest` of OTLP v1,
/// encoded as protobuf (field numbers of the official `opentelemetry/proto` definitions) or as OTLP/JSON.
///
/// Metrics (gauges, one data point per check or status): `<prefix>_doctor_check` (0 pass, 1 fail or error,
/// 2 warn, 3 skip) with the attributes `check.id`, `check.category`, `check.severity`, `check.status` and
/// `check.governance` (a list of `framework:control`); `<prefix>_doctor_check_duration_seconds`;
/// `<prefix>_doctor_checks` by `status`; `<prefix>_doctor_run_duration_seconds`. Trace: a root span `doctor run`
/// and one child span per check (its start, end, attributes); fail and error set the span status to ERROR with
/// the message, pass to OK.
public struct OTLPEncoder: Sendable {
    public struct Resource: Sendable {
        public var serviceName: String
        public var attributes: [(String, String)]

        public init(serviceName: String = "doctor", attributes: [(String, String)] = []) {
            self.serviceName = serviceName
            self.attributes = attributes
        }
    }

    public let resource: Resource
    public let prefix: String
    /// 16 bytes; 8 bytes for the root span. Random unless given (tests).
    public let traceID: [UInt8]
    public let rootSpanID: [UInt8]

    public init(resource: Resource, prefix: String = "pds", traceID: [UInt8]? = nil, rootSpanID: [UInt8]? = nil) {
        var generator = SystemRandomNumberGenerator()
        self.resource = resource
        self.prefix = prefix
        self.traceID = traceID ?? (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        self.rootSpanID = rootSpanID ?? (0..<8).map { _ in UInt8.random(in: 1...255, using: &generator) }
    }

    // MARK: - The model, once for both encodings

    enum AnyValue {
        case string(String)
        case int(Int64)
        case double(Double)
        case bool(Bool)
        case strings([String])
    }

    typealias Attributes = [(String, AnyValue)]

    struct Point {
        var attributes: Attributes
        var value: Double
        var time: UInt64
    }

    struct Metric {
        var name: String
        var description: String
        var unit: String
        var points: [Point]
    }

    struct Span {
        var spanID: [UInt8]
        var parentID: [UInt8]?
        var name: String
        var start: UInt64
        var end: UInt64
        var attributes: Attributes
        /// 0 unset, 1 ok, 2 error.
        var statusCode: Int
        var statusMessage: String
    }

    /// Nanoseconds since the epoch: whole seconds and the fraction apart, so that a time such as 1795000000.25
    /// is exact (the product with 1e9 alone is off by up to 256 ns). Clamped to 0…2^64-1 ns (year 2554).
    static func nanos(_ seconds: Double) -> UInt64 {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        guard seconds < 18_446_744_072 else { return .max }
        let whole = seconds.rounded(.down)
        return UInt64(whole) * 1_000_000_000 + UInt64(((seconds - whole) * 1e9).rounded())
    }

    var resourceAttributes: Attributes {
        [("service.name", .string(resource.serviceName))] + resource.attributes.map { ($0.0, .string($0.1)) }
    }

    static func checkAttributes(_ result: CheckResult) -> Attributes {
        let check = result.check
        return [
            ("check.id", .string(check.id)), ("check.category", .string(check.category)),
            ("check.severity", .string(check.severity.rawValue)), ("check.status", .string(result.status.rawValue)),
            ("check.governance", .strings(check.governance.flatMap { framework in framework.1.map { "\(framework.0):\($0)" } })),
        ]
    }

    func metrics(_ report: RunReport) -> [Metric] {
        let time = OTLPEncoder.nanos(report.finishedAt)
        let p = prefix + "_doctor"
        func code(_ status: CheckStatus) -> Double {
            switch status {
            case .pass: 0
            case .fail, .error: 1
            case .warn: 2
            case .skip: 3
            }
        }
        let checks = report.results.map { Point(attributes: OTLPEncoder.checkAttributes($0), value: code($0.status), time: time) }
        let durations = report.results.filter { $0.startedAt != nil }.map {
            Point(attributes: OTLPEncoder.checkAttributes($0), value: $0.durationSeconds, time: time)
        }
        let perfdata = report.results.flatMap { result in
            PerfData.points(result).map { point in
                Point(attributes: OTLPEncoder.checkAttributes(result) + [("perfdata.label", .string(point.label)), ("perfdata.unit", .string(point.unit))], value: point.value, time: time)
            }
        }
        let counts = report.counts
        return [
            Metric(name: "\(p)_check", description: "Result of each check: 0 pass, 1 fail or error, 2 warn, 3 skip.", unit: "1", points: checks),
            Metric(name: "\(p)_check_duration_seconds", description: "How long each check ran.", unit: "s", points: durations),
            Metric(name: "\(p)_checks", description: "Checks of the run by status.", unit: "1", points: CheckStatus.allCases.map {
                Point(attributes: [("status", .string($0.rawValue))], value: Double(counts[$0]), time: time)
            }),
            Metric(name: "\(p)_run_duration_seconds", description: "Wall time of the whole run.", unit: "s", points: [
                Point(attributes: [("catalog.digest", .string(report.catalogDigest))], value: max(0, report.finishedAt - report.startedAt), time: time),
            ]),
        ] + (perfdata.isEmpty ? [] : [
            Metric(name: "\(p)_check_perfdata", description: "Performance data reported by plugin checks (exec), in the unit the plugin printed.", unit: "1", points: perfdata),
        ])
    }

    func spans(_ report: RunReport) -> [Span] {
        let counts = report.counts
        var spans = [
            Span(
                spanID: rootSpanID, parentID: nil, name: "doctor run", start: OTLPEncoder.nanos(report.startedAt), end: OTLPEncoder.nanos(report.finishedAt),
                attributes: [
                    ("doctor.catalog.digest", .string(report.catalogDigest)), ("doctor.checks", .int(Int64(report.results.count))),
                    ("doctor.failed", .int(Int64(counts.fail))), ("doctor.errors", .int(Int64(counts.error))),
                    ("doctor.exit_code", .int(Int64(report.exitStatus.rawValue))), ("doctor.incomplete", .bool(report.incomplete)),
                ],
                statusCode: counts.fail + counts.error > 0 ? 2 : 1,
                statusMessage: counts.fail + counts.error > 0 ? "\(counts.fail) failed, \(counts.error) errors" : ""),
        ]
        var generator = SystemRandomNumberGenerator()
        for result in report.results {
            let start = OTLPEncoder.nanos(result.startedAt ?? report.startedAt)
            let end = OTLPEncoder.nanos(result.finishedAt ?? result.startedAt ?? report.startedAt)
            let (code, message): (Int, String)
            switch result.status {
            case .pass: (code, message) = (1, "")
            case .fail, .error: (code, message) = (2, result.message)
            case .warn, .skip: (code, message) = (0, "")
            }
            var attributes = OTLPEncoder.checkAttributes(result)
            if result.status != .pass { attributes.append(("check.message", .string(result.message))) }
            spans.append(Span(
                spanID: (0..<8).map { _ in UInt8.random(in: 1...255, using: &generator) }, parentID: rootSpanID, name: result.check.id,
                start: start, end: max(start, end), attributes: attributes, statusCode: code, statusMessage: message))
        }
        return spans
    }

    // MARK: - Protobuf

    /// `Export*ServiceRequest { Resource* { resource, Scope* { scope, items } } }`: the shape both signals share
    /// (`request` is the request's one field, `resource_metrics` or `resource_spans`).
    func protobufRequest(_ report: RunReport, request field: Int, items: (inout ProtobufWriter) -> Void) -> [UInt8] {
        typealias F = OTLPField
        var request = ProtobufWriter()
        request.message(field) { resourceItems in
            resourceItems.message(F.ResourceItems.resource) { r in
                for (key, value) in resourceAttributes { r.message(F.Resource.attributes) { OTLPEncoder.keyValue(&$0, key, value) } }
            }
            resourceItems.message(F.ResourceItems.scopeItems) { scope in
                scope.message(F.ScopeItems.scope) {
                    $0.string(F.InstrumentationScope.name, "doctor")
                    $0.string(F.InstrumentationScope.version, report.toolVersion)
                }
                items(&scope)
            }
        }
        return request.bytes
    }

    public func metricsProtobuf(_ report: RunReport) -> [UInt8] {
        typealias F = OTLPField
        return protobufRequest(report, request: F.ExportMetricsServiceRequest.resourceMetrics) { scope in
            for metric in metrics(report) {
                scope.message(F.ScopeItems.items) { m in
                    m.string(F.Metric.name, metric.name)
                    m.string(F.Metric.description, metric.description)
                    m.string(F.Metric.unit, metric.unit)
                    m.message(F.Metric.gauge) { gauge in
                        for point in metric.points {
                            gauge.message(F.Gauge.dataPoints) { p in
                                p.fixed64(F.NumberDataPoint.timeUnixNano, point.time)
                                // A member of the `value` oneof: written even when 0, or the point has no value.
                                p.double(F.NumberDataPoint.asDouble, point.value, always: true)
                                for (key, value) in point.attributes {
                                    p.message(F.NumberDataPoint.attributes) { OTLPEncoder.keyValue(&$0, key, value) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public func tracesProtobuf(_ report: RunReport) -> [UInt8] {
        typealias F = OTLPField
        return protobufRequest(report, request: F.ExportTraceServiceRequest.resourceSpans) { scope in
            for span in spans(report) {
                scope.message(F.ScopeItems.items) { s in
                    s.bytes(F.Span.traceID, traceID)
                    s.bytes(F.Span.spanID, span.spanID)
                    if let parent = span.parentID { s.bytes(F.Span.parentSpanID, parent) }
                    s.string(F.Span.name, span.name)
                    s.varint(F.Span.kind, F.Span.kindInternal)
                    s.fixed64(F.Span.startTimeUnixNano, span.start)
                    s.fixed64(F.Span.endTimeUnixNano, span.end)
                    for (key, value) in span.attributes { s.message(F.Span.attributes) { OTLPEncoder.keyValue(&$0, key, value) } }
                    s.message(F.Span.status) { status in
                        status.string(F.Status.message, span.statusMessage)
                        status.varint(F.Status.code, UInt64(span.statusCode))
                    }
                }
            }
        }
    }

    static func keyValue(_ writer: inout ProtobufWriter, _ key: String, _ value: AnyValue) {
        writer.string(OTLPField.KeyValue.key, key)
        writer.message(OTLPField.KeyValue.value) { any in OTLPEncoder.anyValue(&any, value) }
    }

    static func anyValue(_ writer: inout ProtobufWriter, _ value: AnyValue) {
        typealias F = OTLPField.AnyValue
        switch value {
        case .string(let text): writer.string(F.stringValue, text, always: true)
        case .bool(let flag): writer.varint(F.boolValue, flag ? 1 : 0, always: true)
        case .int(let number): writer.varint(F.intValue, UInt64(bitPattern: number), always: true)
        case .double(let number): writer.double(F.doubleValue, number, always: true)
        case .strings(let items):
            writer.message(F.arrayValue) { array in
                for item in items { array.message(OTLPField.ArrayValue.values) { $0.string(F.stringValue, item, always: true) } }
            }
        }
    }

    // MARK: - JSON (OTLP/JSON: lowerCamelCase names, 64-bit integers as strings, ids as hex)

    /// `{resourceX: [{resource, scopeX: [{scope, items: [...]}]}]}`: the OTLP/JSON shape both signals share.
    func jsonRequest(_ report: RunReport, signal: String, items: String, capacity: Int, body: (inout JSONWriter) -> Void) -> String {
        var json = JSONWriter(pretty: false, capacity: capacity)
        json.beginObject()
        json.beginArray("resource\(signal)")
        json.beginObject()
        json.beginObject("resource")
        OTLPEncoder.attributesJSON(&json, resourceAttributes)
        json.endObject()
        json.beginArray("scope\(signal)")
        json.beginObject()
        json.beginObject("scope")
        json.string("name", "doctor")
        json.string("version", report.toolVersion)
        json.endObject()
        json.beginArray(items)
        body(&json)
        json.endArray()
        json.endObject()
        json.endArray()
        json.endObject()
        json.endArray()
        json.endObject()
        return json.output
    }

    public func metricsJSON(_ report: RunReport) -> String {
        jsonRequest(report, signal: "Metrics", items: "metrics", capacity: report.results.count * 600 + 1024) { json in
            for metric in metrics(report) {
                json.beginObject()
                json.string("name", metric.name)
                json.string("description", metric.description)
                json.string("unit", metric.unit)
                json.beginObject("gauge")
                json.beginArray("dataPoints")
                for point in metric.points {
                    json.beginObject()
                    json.string("timeUnixNano", String(point.time))
                    json.double("asDouble", point.value)
                    OTLPEncoder.attributesJSON(&json, point.attributes)
                    json.endObject()
                }
                json.endArray()
                json.endObject()
                json.endObject()
            }
        }
    }

    public func tracesJSON(_ report: RunReport) -> String {
        jsonRequest(report, signal: "Spans", items: "spans", capacity: report.results.count * 700 + 1024) { json in
            for span in spans(report) {
                json.beginObject()
                json.string("traceId", Hex.encode(traceID))
                json.string("spanId", Hex.encode(span.spanID))
                if let parent = span.parentID { json.string("parentSpanId", Hex.encode(parent)) }
                json.string("name", span.name)
                json.int("kind", Int64(OTLPField.Span.kindInternal))
                json.string("startTimeUnixNano", String(span.start))
                json.string("endTimeUnixNano", String(span.end))
                OTLPEncoder.attributesJSON(&json, span.attributes)
                json.beginObject("status")
                if !span.statusMessage.isEmpty { json.string("message", span.statusMessage) }
                json.int("code", Int64(span.statusCode))
                json.endObject()
                json.endObject()
            }
        }
    }

    static func attributesJSON(_ json: inout JSONWriter, _ attributes: Attributes) {
        json.beginArray("attributes")
        for (key, value) in attributes {
            json.beginObject()
            json.string("key", key)
            json.beginObject("value")
            anyValueJSON(&json, value)
            json.endObject()
            json.endObject()
        }
        json.endArray()
    }

    static func anyValueJSON(_ json: inout JSONWriter, _ value: AnyValue) {
        switch value {
        case .string(let text): json.string("stringValue", text)
        case .bool(let flag): json.bool("boolValue", flag)
        case .int(let number): json.string("intValue", String(number))
        case .double(let number): json.double("doubleValue", number)
        case .strings(let items):
            json.beginObject("arrayValue")
            json.beginArray("values")
            for item in items {
                json.beginObject()
                json.string("stringValue", item)
                json.endObject()
            }
            json.endArray()
            json.endObject()
        }
    }
}
