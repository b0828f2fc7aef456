/// A loaded, valid catalog.
public struct Catalog: Sendable {
    public var checks: [Check]
    /// The files read, in the order they were read (sorted by path).
    public var files: [String]
    /// SHA-256 over every file's path (relative to its catalog root) and bytes: names this exact catalog.
    public var digest: String
    public var categories: [CategoryInfo]
    /// The default per-check timeout set by a `catalog.yaml`, in seconds.
    public var defaultTimeout: Double?
    /// The upstream source its checks' `sources` cite (`catalog.yaml` `upstream:`), e.g. a repository and commit.
    public var upstream: String?
    /// The governance frameworks the catalog was validated against (every check's control IDs exist in
    /// them); empty when it was loaded without governance.
    public var frameworks: [FrameworkRef] = []

    public init(
        checks: [Check], files: [String] = [], digest: String = "", categories: [CategoryInfo] = CategoryInfo.builtIn, defaultTimeout: Double? = nil,
        upstream: String? = nil
    ) {
        self.upstream = upstream
        self.checks = checks
        self.files = files
        self.digest = digest
        self.categories = categories
        self.defaultTimeout = defaultTimeout
    }

    public func check(_ id: String) -> Check? { checks.first { $0.id == id } }

    /// The id of the framework called `name` (its id or an alias, any case); nil when there is none. Without
    /// governance, a name some check cites is its own id.
    public func frameworkID(_ name: String) -> String? {
        let lowered = name.lowercased()
        if let framework = frameworks.first(where: { $0.id == lowered || $0.aliases.contains(lowered) }) { return framework.id }
        if frameworks.isEmpty, checks.contains(where: { check in check.governance.contains { $0.framework == lowered } }) { return lowered }
        return nil
    }

    public func category(_ id: String) -> CategoryInfo? { categories.first { $0.id == id } }
}
