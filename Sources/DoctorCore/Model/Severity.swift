/// How much a non-passing result of a check matters. Ordered: `info` < `low` < `medium` < `high` < `critical`.
public enum Severity: String, Sendable, CaseIterable, Comparable, Codable {
    case info, low, medium, high, critical

    private var rank: Int { Severity.allCases.firstIndex(of: self) ?? 0 }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// The outcome of one check.
public enum CheckStatus: String, Sendable, CaseIterable, Codable {
    /// Every expectation held.
    case pass
    /// An expectation reached its warning threshold; nothing failed.
    case warn
    /// An expectation did not hold.
    case fail
    /// The probe could not run, timed out, or the check could not be resolved (e.g. an undefined variable).
    case error
    /// Not applicable (`when`), a requirement did not pass, or the run ended before the check started.
    case skip

    /// The mark the text output prints.
    public var symbol: String {
        switch self {
        case .pass: "✔"
        case .warn: "⚠"
        case .fail: "✘"
        case .error: "!"
        case .skip: "↷"
        }
    }
}

/// The six categories of the Open Sesame design. A catalog may declare more in its `catalog.yaml`.
public enum BuiltInCategory: String, Sendable, CaseIterable {
    case daemonLiveness = "daemon-liveness"
    case ipcConnectivity = "ipc-connectivity"
    case vaultIntegrity = "vault-integrity"
    case cryptoPosture = "crypto-posture"
    case platformIntegration = "platform-integration"
    case configuration

    public var title: String {
        switch self {
        case .daemonLiveness: "Daemon liveness"
        case .ipcConnectivity: "IPC connectivity"
        case .vaultIntegrity: "Vault integrity"
        case .cryptoPosture: "Crypto posture"
        case .platformIntegration: "Platform integration"
        case .configuration: "Configuration"
        }
    }
}
