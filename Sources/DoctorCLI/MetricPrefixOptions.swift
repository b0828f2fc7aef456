import ArgumentParser
import DoctorCore

/// `--metric-prefix`, the same for `run` and `serve`: a Prometheus metric-name prefix without colons (colons are
/// reserved for recording rules), also the prefix of OTLP metric names.
struct MetricPrefixOptions: ParsableArguments {
    @Option(name: .customLong("metric-prefix"), help: ArgumentHelp("The prefix of metric names in Prometheus and OTLP output ([A-Za-z_][A-Za-z0-9_]*).", valueName: "prefix"))
    var prefix: String = "pds"

    func validate() throws {
        guard let first = prefix.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic),
            prefix.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) })
        else {
            throw ValidationError("--metric-prefix must be a metric name prefix such as pds ([A-Za-z_][A-Za-z0-9_]*), got '\(prefix)'")
        }
    }
}
