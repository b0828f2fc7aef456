/// A worked example shown in the generated docs and run by the tests on the demo host.
public struct ProbeExample: Sendable {
    public var title: String
    /// A complete check in YAML.
    public var yaml: String
    /// What the check reports on the demo hosts (`ProbeExampleTests` holds it to them).
    public var outcomes: [ExampleOutcome]

    public init(_ title: String, _ yaml: String, _ outcomes: ExampleOutcome...) {
        self.title = title
        self.yaml = yaml
        self.outcomes = outcomes
    }
}
