/// Everything one run produced: what ran, where, when, with which catalog and selection, and each result in
/// catalog order.
public struct RunReport: Sendable {
    public var toolVersion: String
    public var catalogDigest: String
    public var host: String
    public var startedAt: Double
    public var finishedAt: Double
    public var selection: Selection
    public var results: [CheckResult]
    public var categories: [CategoryInfo]
    /// True when the run was interrupted or hit its global deadline: some checks did not run.
    public var incomplete: Bool
    /// Why the run is incomplete ("SIGINT", "run deadline of 30s exceeded").
    public var incompleteReason: String?

    public init(
        toolVersion: String, catalogDigest: String, host: String, startedAt: Double, finishedAt: Double,
        selection: Selection, results: [CheckResult], categories: [CategoryInfo] = CategoryInfo.builtIn,
        incomplete: Bool = false, incompleteReason: String? = nil
    ) {
        self.toolVersion = toolVersion
        self.catalogDigest = catalogDigest
        self.host = host
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.selection = selection
        self.results = results
        self.categories = categories
        self.incomplete = incomplete
        self.incompleteReason = incompleteReason
    }

    public var counts: StatusCounts { StatusCounts(results) }

    public var exitStatus: ExitStatus { ExitStatus.of(counts) }

    /// Categories in the order the report presents them: built-in order, then declared ones, then any other.
    public var categoryOrder: [String] {
        var order = categories.map(\.id)
        for result in results where !order.contains(result.check.category) { order.append(result.check.category) }
        return order
    }

    public func title(ofCategory id: String) -> String {
        categories.first { $0.id == id }?.title ?? id
    }
}
