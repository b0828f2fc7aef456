import DoctorCore

/// JSON values (`JSONScan.parse`) as probes observe them: their JSON type, as a `Value`, and at a path.
extension JSONValue {
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    var value: Value {
        switch self {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .int(let number): .int(number)
        case .double(let number): .double(number)
        case .string(let text): .string(text)
        case .array(let items): .list(items.map(\.value))
        case .object(let members): .list(members.map { .string($0.0) }.sorted { ($0.asString ?? "") < ($1.asString ?? "") })
        }
    }

    /// The value at a path of member names, indexes and `*`; nil when the path leads nowhere.
    func select(_ path: [String]) -> Value? {
        guard let head = path.first else { return value }
        let rest = Array(path.dropFirst())
        if head == "*" {
            let children: [JSONValue]
            switch self {
            case .array(let items): children = items
            case .object(let members): children = members.map(\.1)
            default: return nil
            }
            return .list(children.compactMap { $0.select(rest) })
        }
        switch self {
        case .object(let members):
            return members.first { $0.0 == head }?.1.select(rest)
        case .array(let items):
            guard let index = Int(head), items.indices.contains(index) else { return nil }
            return items[index].select(rest)
        default:
            return nil
        }
    }
}
