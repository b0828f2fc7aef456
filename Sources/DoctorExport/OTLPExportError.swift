/// Why an export failed, in one line that names the URL and the cause ("http://127.0.0.1:4318/v1/metrics:
/// cannot connect: Connection refused"). `doctor run` prints it after `doctor: otlp: ` and exits 73.
public struct OTLPExportError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
