/// The formats a build knows, by name.
public struct FormatterRegistry: Sendable {
    public private(set) var types: [String: any ResultFormatter.Type] = [:]

    public init(_ formatters: [any ResultFormatter.Type] = []) {
        for formatter in formatters { register(formatter) }
    }

    public mutating func register(_ formatter: any ResultFormatter.Type) {
        precondition(types[formatter.name] == nil, "format '\(formatter.name)' registered twice")
        types[formatter.name] = formatter
    }

    public subscript(name: String) -> (any ResultFormatter.Type)? { types[name] }

    public var names: [String] { types.keys.sorted() }
}
