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

    public func category(_ id: String) -> CategoryInfo? { categories.first { $0.id == id } }
}

/// A category: one of the six built in, or one a catalog declares in its `catalog.yaml`.
public struct CategoryInfo: Sendable, Hashable {
    public var id: String
    public var title: String
    public var description: String?

    public init(id: String, title: String, description: String? = nil) {
        self.id = id
        self.title = title
        self.description = description
    }

    public static let builtIn = BuiltInCategory.allCases.map { CategoryInfo(id: $0.rawValue, title: $0.title) }
}
