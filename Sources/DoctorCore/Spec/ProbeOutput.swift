import Logging

/// The outcome of `observe`.
public struct ProbeOutput: Sendable {
    public var observations: [Observation]
    /// Facts that fail the check whatever the expectations say (e.g. "2 files match a 'none' pattern").
    public var problems: [String]
    /// When set, the check does not apply here: it is reported as `skip` with this reason.
    public var skipReason: String?

    public init(observations: [Observation], problems: [String] = [], skipReason: String? = nil) {
        self.observations = observations
        self.problems = problems
        self.skipReason = skipReason
    }

    public static func single(_ values: ObservedValues, missing reason: String? = nil) -> ProbeOutput {
        ProbeOutput(observations: [Observation(values: values, missingReason: reason)])
    }
}
