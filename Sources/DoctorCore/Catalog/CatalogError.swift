/// A catalog that could not be loaded: every issue found, in file and line order.
public struct CatalogError: Error, Sendable, CustomStringConvertible {
    public var issues: [CatalogIssue]

    public init(issues: [CatalogIssue]) {
        self.issues = issues
    }

    public var description: String {
        let lines = issues.map(\.description)
        let noun = issues.count == 1 ? "error" : "errors"
        return (lines + ["catalog invalid: \(issues.count) \(noun)"]).joined(separator: "\n")
    }
}
