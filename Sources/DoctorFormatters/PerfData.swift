public import DoctorCore

/// Performance data of plugin checks (the `exec` probe's `perf.<label>` observations and their
/// `perf.<label>.unit`), for the formats that export values as metrics.
public enum PerfData {
    public struct Point: Sendable {
        public var label: String
        public var unit: String
        public var value: Double
    }

    /// The numeric performance data of one result, in observation order.
    public static func points(_ result: CheckResult) -> [Point] {
        guard result.check.probe.type == "exec" else { return [] }
        var points: [Point] = []
        for subject in result.observed {
            var units: [String: String] = [:]
            for value in subject.values where value.name.hasPrefix("perf.") && value.name.hasSuffix(".unit") {
                units[value.name] = value.value.asString ?? ""
            }
            for value in subject.values where value.name.hasPrefix("perf.") && !value.name.hasSuffix(".unit") {
                guard let number = value.value.asDouble else { continue }
                points.append(Point(label: String(value.name.dropFirst(5)), unit: units[value.name + ".unit"] ?? "", value: number))
            }
        }
        return points
    }
}
