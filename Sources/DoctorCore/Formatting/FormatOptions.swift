/// Options every formatter receives.
public struct FormatOptions: Sendable {
    /// ANSI colour (text output on a terminal, never with `NO_COLOR`).
    public var color: Bool
    /// Evidence and durations for every check, not only for failures.
    public var verbose: Bool
    /// The prefix of metric names (`pds` gives `pds_doctor_check`).
    public var metricPrefix: String

    public init(color: Bool = false, verbose: Bool = false, metricPrefix: String = "pds") {
        self.color = color
        self.verbose = verbose
        self.metricPrefix = metricPrefix
    }
}
