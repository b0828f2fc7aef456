/// The fields of a check: what its keys say once decoded, and where it was written. A new field goes here and
/// in `CheckField.all` (a test fails while the two differ), and nowhere else: the decoder, the schema, the
/// catalog cache and `doctor explain` take it from there. The defaults are those of a check that leaves an
/// optional key out (and placeholders for the required ones, which a loaded check always has).
public struct CheckValues: Sendable {
    public var id = ""
    public var title = ""
    public var description: String?
    public var rationale: String?
    public var category = ""
    public var severity = Severity.info
    /// Framework → control IDs, in catalog order.
    public var governance: [(framework: String, controls: [String])] = []
    public var probe = ProbeInvocation(type: "", parameters: [], mark: SourceMark(line: 0, column: 0))
    public var expectations: [Expectation] = []
    /// Expectations that also apply when the run selects a framework (`governance_expect`): a control of that
    /// framework may ask more than the check's own `expect` (PCI DSS 10.5.1 keeps audit logs 12 months).
    public var governanceExpectations: [(framework: String, expectations: [Expectation])] = []
    public var remediation: String?
    /// Seconds; nil means the catalog's or the run's default.
    public var timeout: Double?
    public var requires: [String] = []
    public var when: [WhenCondition] = []
    public var whenReason: String?
    public var tags: [String] = []
    /// Where each fact the check relies on comes from (`sources:`): the upstream file and line that states
    /// it, or the catalog's own policy with its reason.
    public var sources: [CheckSource] = []
    public var location = SourceLocation(file: "", mark: SourceMark(line: 0, column: 0))

    public init() {}
}
