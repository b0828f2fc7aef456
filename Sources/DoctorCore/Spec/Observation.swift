import Logging

/// One observed subject: a file, a unit, a variable. Probes of one thing return one; list forms (glob, units)
/// return one per thing, and every expectation applies to each.
public struct Observation: Sendable {
    /// What was looked at, e.g. the path; nil for the single subject of a check.
    public var subject: String?
    public var values: ObservedValues
    /// Why values are missing, when they are ("does not exist"): used when an expectation finds no value.
    public var missingReason: String?
    /// The observations `missingReason` speaks for; nil for all of them. A reason about one value (a process
    /// whose dumpability cannot be read) must not stand in for the others.
    public internal(set) var reasonCovers: Set<String>?

    public init(subject: String? = nil, values: ObservedValues, missingReason: String? = nil, reasonCovers: [ObservationKey]? = nil) {
        self.subject = subject
        self.values = values
        self.missingReason = missingReason
        self.reasonCovers = reasonCovers.map { Set($0.map(\.name)) }
    }

    /// Whether `missingReason` explains a missing or failed `observation`.
    public func reasonExplains(_ observation: String) -> Bool {
        missingReason != nil && (reasonCovers?.contains(observation) ?? true)
    }
}
