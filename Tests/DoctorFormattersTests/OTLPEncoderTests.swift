import DoctorCore
import DoctorFormatters
import DoctorTestSupport
import Foundation
import Testing

/// The OTLP messages doctor writes, decoded by the official definitions (PyPI opentelemetry-proto, through
/// `Tests/Fixtures/otlp/decode.py`): every message type the encoder emits (ExportMetricsServiceRequest,
/// ResourceMetrics, Resource, ScopeMetrics, InstrumentationScope, Metric, Gauge, NumberDataPoint,
/// ExportTraceServiceRequest, ResourceSpans, ScopeSpans, Span, Status, KeyValue, AnyValue, ArrayValue), with no
/// field the definitions do not know, and the protobuf and JSON encodings decoding to the same request.
@Suite struct OTLPEncoderTests {
    static let traceID: [UInt8] = Array(1...16)
    static let rootSpanID: [UInt8] = Array(0xA1...0xA8)
    static let encoder = OTLPEncoder(
        resource: .init(serviceName: "doctor-test", attributes: [("host.name", "host-1"), ("deployment.environment", "ci")]), prefix: "pds",
        traceID: traceID, rootSpanID: rootSpanID)

    /// The request as the official definitions decode it, and the paths of unknown fields.
    func decode(_ signal: String, _ encoding: String, _ bytes: [UInt8]) throws -> (request: [String: Any], unknown: [String]) {
        let directory = TemporaryDirectory(prefix: "doctor-otlp-decode")
        try Data(bytes).write(to: URL(fileURLWithPath: directory.path + "/request"))
        let child = try ChildProcess(
            ["/usr/bin/env", "python3", ReferenceData.repository + "/Tests/Fixtures/otlp/decode.py", signal, encoding, directory.path + "/request"],
            stdout: directory.path + "/out", stderr: directory.path + "/err")
        let status = child.wait()
        let output = directory.read("out") ?? ""
        guard status == 0, let document = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
            let request = document["request"] as? [String: Any], let unknown = document["unknown"] as? [String]
        else {
            throw ChildProcessError("decode.py \(signal) \(encoding) failed (\(status); needs python3 with opentelemetry-proto: scripts/bootstrap --test): \(directory.read("err") ?? "")")
        }
        return (request, unknown)
    }

    /// `[{key, value: {string_value: …}}]` as a dictionary of the values' JSON forms.
    static func attributes(_ list: Any?) -> [String: Any] {
        var out: [String: Any] = [:]
        for item in list as? [[String: Any]] ?? [] {
            guard let key = item["key"] as? String, let value = item["value"] as? [String: Any], let (kind, content) = value.first else { continue }
            if kind == "array_value" {
                out[key] = ((content as? [String: Any])?["values"] as? [[String: Any]] ?? []).map { $0["string_value"] as? String ?? "?" }
            } else {
                out[key] = content
            }
        }
        return out
    }

    static func scope(_ request: [String: Any], _ resourceKey: String, _ scopeKey: String) -> (resource: [String: Any], scope: [String: Any], items: [[String: Any]]) {
        let resourceItems = (request[resourceKey] as? [[String: Any]])?.first ?? [:]
        let scopeItems = (resourceItems[scopeKey] as? [[String: Any]])?.first ?? [:]
        let items = (scopeItems["metrics"] ?? scopeItems["spans"]) as? [[String: Any]] ?? []
        return (attributes((resourceItems["resource"] as? [String: Any])?["attributes"]), scopeItems["scope"] as? [String: Any] ?? [:], items)
    }

    @Test func metricsDecodeWithTheOfficialDefinitions() throws {
        let report = Canonical.report
        let (request, unknown) = try decode("metrics", "protobuf", Self.encoder.metricsProtobuf(report))
        #expect(unknown == [])
        let (resource, scope, metrics) = Self.scope(request, "resource_metrics", "scope_metrics")
        #expect(resource["service.name"] as? String == "doctor-test")
        #expect(resource["host.name"] as? String == "host-1")
        #expect(resource["deployment.environment"] as? String == "ci")
        #expect(scope["name"] as? String == "doctor" && scope["version"] as? String == "9.9.9")
        #expect(metrics.map { $0["name"] as? String } == ["pds_doctor_check", "pds_doctor_check_duration_seconds", "pds_doctor_checks", "pds_doctor_run_duration_seconds"])
        #expect(metrics.map { $0["unit"] as? String } == ["1", "s", "1", "s"])
        #expect(metrics.allSatisfy { ($0["description"] as? String ?? "").count > 10 })
        let points = metrics.map { ($0["gauge"] as? [String: Any])?["data_points"] as? [[String: Any]] ?? [] }
        #expect(points.map(\.count) == [6, 5, 5, 1])
        // Every point carries its value, 0 included (a member of a oneof), and the run's end.
        #expect(points.joined().allSatisfy { $0["as_double"] is Double && $0["time_unix_nano"] as? String == "1795000001500000000" })
        let checks = Dictionary(uniqueKeysWithValues: points[0].map { (Self.attributes($0["attributes"])["check.id"] as? String ?? "?", $0) })
        #expect(checks.mapValues { $0["as_double"] as? Double } == ["cfg-pass": 0, "ipc-fail": 1, "cfg-warn": 2, "cfg-error": 1, "cfg-skip": 3, "weird": 0])
        let failed = Self.attributes(checks["ipc-fail"]?["attributes"])
        #expect(failed["check.category"] as? String == "ipc-connectivity")
        #expect(failed["check.severity"] as? String == "high")
        #expect(failed["check.status"] as? String == "fail")
        #expect(failed["check.governance"] as? [String] == ["stig:V-222642", "pci-dss:3.6.1.2"])
        #expect(Self.attributes(checks["weird"]?["attributes"])["check.id"] as? String == "weird")
        let byStatus = Dictionary(uniqueKeysWithValues: points[2].map { (Self.attributes($0["attributes"])["status"] as? String ?? "?", $0["as_double"] as? Double) })
        #expect(byStatus == ["pass": 2, "warn": 1, "fail": 1, "error": 1, "skip": 1])
        #expect(points[3].first?["as_double"] as? Double == 1.5)
        #expect(Self.attributes(points[3].first?["attributes"])["catalog.digest"] as? String == String(repeating: "ab", count: 32))
    }

    @Test func tracesDecodeWithTheOfficialDefinitions() throws {
        let report = Canonical.report
        let (request, unknown) = try decode("traces", "protobuf", Self.encoder.tracesProtobuf(report))
        #expect(unknown == [])
        let (resource, scope, spans) = Self.scope(request, "resource_spans", "scope_spans")
        #expect(resource["service.name"] as? String == "doctor-test")
        #expect(scope["name"] as? String == "doctor" && scope["version"] as? String == "9.9.9")
        #expect(spans.count == 7)
        let traceHex = Self.traceID.map { String(format: "%02x", $0) }.joined()
        let rootHex = Self.rootSpanID.map { String(format: "%02x", $0) }.joined()
        #expect(spans.allSatisfy { $0["trace_id"] as? String == traceHex && $0["kind"] as? String == "SPAN_KIND_INTERNAL" })
        let root = spans.first { $0["name"] as? String == "doctor run" } ?? [:]
        #expect(root["span_id"] as? String == rootHex)
        #expect(root["parent_span_id"] == nil)
        #expect(root["start_time_unix_nano"] as? String == "1795000000000000000")
        #expect(root["end_time_unix_nano"] as? String == "1795000001500000000")
        #expect(root["status"] as? [String: String] == ["code": "STATUS_CODE_ERROR", "message": "1 failed, 1 errors"])
        let rootAttributes = Self.attributes(root["attributes"])
        // int_value (int64, a string in protobuf's JSON mapping) and bool_value, false included.
        #expect(rootAttributes["doctor.checks"] as? String == "6")
        #expect(rootAttributes["doctor.failed"] as? String == "1")
        #expect(rootAttributes["doctor.exit_code"] as? String == "2")
        #expect(rootAttributes["doctor.incomplete"] as? Bool == false)
        let children = Dictionary(uniqueKeysWithValues: spans.filter { $0["name"] as? String != "doctor run" }.map { ($0["name"] as? String ?? "?", $0) })
        #expect(Set(children.keys) == ["cfg-pass", "ipc-fail", "cfg-warn", "cfg-error", "cfg-skip", "weird"])
        #expect(children.values.allSatisfy { $0["parent_span_id"] as? String == rootHex && ($0["span_id"] as? String)?.count == 16 })
        #expect(children["ipc-fail"]?["status"] as? [String: String] == ["code": "STATUS_CODE_ERROR", "message": "/run/x: mode is 0644, expected == 0600"])
        #expect(children["cfg-pass"]?["status"] as? [String: String] == ["code": "STATUS_CODE_OK"])
        #expect(children["cfg-warn"]?["status"] as? [String: String] == [:])
        #expect(children["cfg-pass"]?["start_time_unix_nano"] as? String == "1795000000250000000")
        #expect(children["cfg-pass"]?["end_time_unix_nano"] as? String == "1795000000500000000")
        #expect(Self.attributes(children["cfg-warn"]?["attributes"])["check.message"] as? String == "latency is 300ms (warn if > 250ms)")
    }

    /// OTLP/JSON carries the same request as protobuf (span ids of the checks are random per encoding).
    @Test func jsonDecodesToTheSameRequestAsProtobuf() throws {
        let report = Canonical.report
        let metrics = try decode("metrics", "protobuf", Self.encoder.metricsProtobuf(report)).request
        let metricsJSON = try decode("metrics", "json", Array(Self.encoder.metricsJSON(report).utf8)).request
        #expect(NSDictionary(dictionary: metrics).isEqual(to: metricsJSON))
        func withoutChildIDs(_ request: [String: Any]) -> [String: Any] {
            var resourceSpans = request["resource_spans"] as? [[String: Any]] ?? [[:]]
            var scopeSpans = resourceSpans[0]["scope_spans"] as? [[String: Any]] ?? [[:]]
            let spans = scopeSpans[0]["spans"] as? [[String: Any]] ?? []
            scopeSpans[0]["spans"] = spans.map { span in
                var span = span
                if span["parent_span_id"] != nil { span["span_id"] = "-" }
                return span
            }
            resourceSpans[0]["scope_spans"] = scopeSpans
            return ["resource_spans": resourceSpans]
        }
        let traces = withoutChildIDs(try decode("traces", "protobuf", Self.encoder.tracesProtobuf(report)).request)
        let tracesJSON = withoutChildIDs(try decode("traces", "json", Array(Self.encoder.tracesJSON(report).utf8)).request)
        #expect((traces["resource_spans"] as? [Any])?.isEmpty == false)
        #expect(NSDictionary(dictionary: traces).isEqual(to: tracesJSON))
    }
}
