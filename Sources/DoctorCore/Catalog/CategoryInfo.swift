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
