#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Compliance frameworks and their controls, from `governance/*.yaml` (one file per framework; see
/// `schemas/governance.schema.json`). Checks cite control IDs; this is what those IDs mean.
public struct GovernanceControl: Sendable {
    public var id: String
    public var title: String
    /// STIG only: `high`, `medium`, `low` (CAT I, II, III).
    public var severity: String?
    /// STIG only: the STIG or SRG requirement ID (`APSC-DV-003110`).
    public var stigID: String?
    public var parent: String?
    /// STIG only: the NIST SP 800-53 controls the rule derives from (via its CCIs), as `nist-800-53` IDs.
    public var nist: [String] = []

    /// "CAT I" for a STIG severity.
    public var category: String? {
        switch severity {
        case "high": "CAT I"
        case "medium": "CAT II"
        case "low": "CAT III"
        default: nil
        }
    }
}
