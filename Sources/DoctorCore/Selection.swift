#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which checks of a catalog a command works on. The same selection serves `run` and `list`.
public struct Selection: Sendable, Equatable {
    /// Checks tagged with a control of any of these frameworks (union).
    public var governance: [String] = []
    public var categories: [String] = []
    /// Minimum severity.
    public var minimumSeverity: Severity?
    /// Ids or globs (`ipc-*`) to include; empty means all.
    public var checks: [String] = []
    /// Ids or globs to leave out.
    public var skip: [String] = []
    public var tags: [String] = []

    public init(
        governance: [String] = [], categories: [String] = [], minimumSeverity: Severity? = nil, checks: [String] = [],
        skip: [String] = [], tags: [String] = []
    ) {
        self.governance = governance
        self.categories = categories
        self.minimumSeverity = minimumSeverity
        self.checks = checks
        self.skip = skip
        self.tags = tags
    }

    public var isEmpty: Bool { self == Selection() }

    public func matches(_ check: Check) -> Bool {
        if !governance.isEmpty && !governance.contains(where: { !check.controls(for: $0).isEmpty }) { return false }
        if !categories.isEmpty && !categories.contains(check.category) { return false }
        if let minimumSeverity, check.severity < minimumSeverity { return false }
        if !checks.isEmpty && !checks.contains(where: { Glob.matches($0, check.id) }) { return false }
        if skip.contains(where: { Glob.matches($0, check.id) }) { return false }
        if !tags.isEmpty && !tags.contains(where: check.tags.contains) { return false }
        return true
    }

    /// The checks to run, in catalog order, with the flag telling which were pulled in only because a
    /// selected check `requires` them.
    public func plan(_ catalog: Catalog) -> [(check: Check, asRequirement: Bool)] {
        let selected = Set(catalog.checks.filter(matches).map(\.id))
        var needed = selected
        var queue = Array(selected)
        let byID = Dictionary(catalog.checks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        while let id = queue.popLast() {
            for required in byID[id]?.requires ?? [] where !needed.contains(required) {
                needed.insert(required)
                queue.append(required)
            }
        }
        return catalog.checks.filter { needed.contains($0.id) }.map { ($0, !selected.contains($0.id)) }
    }
}
