/// A problem with a catalog: where it is, which check, what is wrong, and a suggestion when one is close.
public struct CatalogIssue: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var mark: SourceMark
    public var checkID: String?
    public var message: String
    public var hint: String?

    public init(file: String, mark: SourceMark, checkID: String? = nil, message: String, hint: String? = nil) {
        self.file = file
        self.mark = mark
        self.checkID = checkID
        self.message = message
        self.hint = hint
    }

    /// `checks/ipc.yaml:12:5: error: [ipc-socket-perms] unknown key 'severty' (did you mean 'severity'?)`
    public var description: String {
        var text = "\(file):\(mark.line):\(mark.column): error: "
        if let checkID { text += "[\(checkID)] " }
        text += message
        if let hint { text += " (\(hint))" }
        return text
    }
}
