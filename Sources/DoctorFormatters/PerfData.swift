public import DoctorCore

/// Performance data of a result (the observations its probe's spec declares as such: the `exec` probe's
/// `perf.<label>` and their `perf.<label>.unit`), for the formats that export values as metrics. Read from
/// the result's `performanceData`, never from a probe's name.
public enum PerfData {
    public struct Point: Sendable {
        public var label: String
        public var unit: String
        public var value: Double
    }

    /// The numeric performance data of one result, in observation order.
    public static func points(_ result: CheckResult) -> [Point] {
        guard let spec = result.performanceData else { return [] }
        var points: [Point] = []
        for subject in result.observed {
            var units: [String: String] = [:]
            for value in subject.values where value.name.hasPrefix(spec.prefix) && value.name.hasSuffix(spec.unitSuffix) {
                units[value.name] = value.value.asString ?? ""
            }
            for value in subject.values where value.name.hasPrefix(spec.prefix) && !value.name.hasSuffix(spec.unitSuffix) {
                guard let number = value.value.asDouble else { continue }
                points.append(Point(label: String(value.name.dropFirst(spec.prefix.count)), unit: units[value.name + spec.unitSuffix] ?? "", value: number))
            }
        }
        return points
    }
}
