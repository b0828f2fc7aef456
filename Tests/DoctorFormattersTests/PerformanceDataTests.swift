import DoctorCore
import DoctorFormatters
import Foundation
import Testing

/// Formatters find performance data through what the probe's spec declared (carried by the result), never by
/// the probe's name: a probe of another name that declares it is exported, an `exec` result without it is not.
@Suite struct PerformanceDataTests {
    static func result(probe: String, _ performanceData: PerformanceData?) -> CheckResult {
        var fields = CheckValues()
        fields.id = "plugin"
        fields.title = "plugin"
        fields.category = "configuration"
        fields.severity = .low
        fields.probe = ProbeInvocation(type: probe, parameters: [], mark: SourceMark(line: 1, column: 1))
        fields.location = SourceLocation(file: "checks/x.yaml", mark: SourceMark(line: 1, column: 3))
        let check = Check(fields)
        let values = [
            ObservedValue(name: "metric.load", value: .double(0.5), type: nil), ObservedValue(name: "metric.load/unit", value: .string("s"), type: nil),
            ObservedValue(name: "perf.load", value: .int(7), type: nil),
        ]
        return CheckResult(check: check, status: .pass, message: nil, observed: [ObservedSubject(subject: nil, values: values)], performanceData: performanceData)
    }

    @Test func thePointsAreWhatTheSpecDeclares() {
        let points = PerfData.points(Self.result(probe: "sensor", PerformanceData(prefix: "metric.", unitSuffix: "/unit")))
        #expect(points.map(\.label) == ["load"])
        #expect(points.map(\.unit) == ["s"])
        #expect(points.map(\.value) == [0.5])
        #expect(PerfData.points(Self.result(probe: "exec", nil)).isEmpty)
        let prometheus = PrometheusFormatter(options: FormatOptions()).format(RunReport(
            toolVersion: "9.9.9", catalogDigest: "ab", host: "h", startedAt: 0, finishedAt: 1, selection: Selection(),
            results: [Self.result(probe: "sensor", PerformanceData(prefix: "metric.", unitSuffix: "/unit"))]))
        #expect(prometheus.contains("label=\"load\",unit=\"s\"} 0.5\n"), "\(prometheus)")
    }
}
