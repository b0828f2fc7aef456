public struct UndefinedVariable: Error, Sendable {
    public var name: String
}
