public struct TemplateError: Error, Sendable {
    public var message: String
}
