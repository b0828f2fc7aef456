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

/// Shell-style globs for check ids: `*` any run, `?` one character, `[abc]` a class.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        if !pattern.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) { return pattern == text }
        return fnmatch(Array(pattern.utf8)[...], Array(text.utf8)[...])
    }

    private static func fnmatch(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex, t = text.startIndex
        var starP: Int?, starT = 0
        while t < text.endIndex {
            if p < pattern.endIndex {
                let c = pattern[p]
                if c == UInt8(ascii: "*") {
                    starP = p
                    starT = t
                    p += 1
                    continue
                }
                if c == UInt8(ascii: "?") {
                    p += 1
                    t += 1
                    continue
                }
                if c == UInt8(ascii: "["), let close = pattern[(p + 1)...].firstIndex(of: UInt8(ascii: "]")) {
                    let set = pattern[(p + 1)..<close]
                    if classMatches(set, text[t]) {
                        p = close + 1
                        t += 1
                        continue
                    }
                } else if c == text[t] {
                    p += 1
                    t += 1
                    continue
                }
            }
            guard let star = starP else { return false }
            p = star + 1
            starT += 1
            t = starT
        }
        while p < pattern.endIndex && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }

    private static func classMatches(_ set: ArraySlice<UInt8>, _ char: UInt8) -> Bool {
        var negate = false
        var items = set
        if let first = items.first, first == UInt8(ascii: "!") || first == UInt8(ascii: "^") {
            negate = true
            items = items.dropFirst()
        }
        var found = false
        var i = items.startIndex
        while i < items.endIndex {
            if i + 2 < items.endIndex && items[i + 1] == UInt8(ascii: "-") {
                if items[i] <= char && char <= items[i + 2] { found = true }
                i += 3
            } else {
                if items[i] == char { found = true }
                i += 1
            }
        }
        return found != negate
    }
}
