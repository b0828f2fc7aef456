/// How much a non-passing result of a check matters. Ordered: `info` < `low` < `medium` < `high` < `critical`.
public enum Severity: String, Sendable, CaseIterable, Comparable, Codable {
    case info, low, medium, high, critical

    private var rank: Int { Severity.allCases.firstIndex(of: self) ?? 0 }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}
