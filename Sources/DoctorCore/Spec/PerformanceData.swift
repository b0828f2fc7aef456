/// Everything a probe says about itself. The loader validates parameters and expectations against it, the
/// JSON Schema and the reference pages in `docs/probes/` are generated from it.
/// Which observations of a probe are performance data (numbers the metric formats export, such as a Nagios
/// plugin's `perf.<label>`), and where each one's unit is: `prefix` + label, and `prefix` + label + `unitSuffix`.
/// Formatters read this from the result, never a probe's name.
public struct PerformanceData: Sendable, Hashable {
    public var prefix: String
    public var unitSuffix: String

    public init(prefix: String, unitSuffix: String) {
        self.prefix = prefix
        self.unitSuffix = unitSuffix
    }
}
