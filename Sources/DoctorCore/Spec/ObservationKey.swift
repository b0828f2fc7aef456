/// An observation of a probe, declared once: the spec the loader, the JSON Schema and the reference pages use
/// (name, type, meaning; the operators an `expect` may use follow from the type), and the key `observe` writes
/// it under (`values[Observed.exists] = .bool(true)`) and asks about (`context.wants(Observed.sha256)`).
///
/// Names a check chooses itself (a probe's `namedObservations`, performance data) are not keys: they go
/// through the explicitly dynamic `values[dynamic:]` and `context.wants(dynamic:)`.
public struct ObservationKey: Sendable {
    public let spec: ObservationSpec

    public init(_ name: String, _ type: ValueType, _ summary: String) {
        spec = ObservationSpec(name, type, summary)
    }

    public var name: String { spec.name }
    public var type: ValueType { spec.type }
    /// The operators an expectation on this observation may use.
    public var operators: [Operator] { spec.operators }
}
