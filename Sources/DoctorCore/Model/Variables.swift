/// The variables a run knows: `--var` and vars files first, then the built-ins (`UID`, `GID`, `USER`, `HOME`,
/// `HOSTNAME`), then the environment.
public struct Variables: Sendable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    public subscript(name: String) -> String? { values[name] }
}
