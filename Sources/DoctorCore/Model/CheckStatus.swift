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
