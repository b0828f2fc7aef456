import Logging

/// A probe looks at one part of the system and reports what it saw; it never decides pass or fail itself
/// (except for facts that are failures by nature, reported as `problems`). Expectations are evaluated by the
/// runner from the observations.
///
/// Rules for probe authors:
/// - Honour `context.deadline` and task cancellation: never block without a bound.
/// - Never print or log secret material.
public protocol Probe: Sendable {
    /// The self-description: parameters, observations, docs and examples.
    static var spec: ProbeSpec { get }

    /// Builds the probe from parameters already validated against `spec` and resolved for this run.
    /// Throw `ProbeError` for combinations the types cannot express.
    init(parameters: Parameters) throws(ProbeError)

    /// Observes. Return what was seen; throw `ProbeError` when the probe could not run at all.
    func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput
}
