import Logging

/// The values of one observation: a small map that keeps insertion order. Written like a dictionary literal
/// keyed by the probe's observation keys (`[Observed.exists: .bool(true)]`); a probe observes a handful of
/// values, so lookups scan instead of hashing.
public struct ObservedValues: Sendable, ExpressibleByDictionaryLiteral, Sequence {
    public private(set) var pairs: [(name: String, value: Value)]

    public init(dictionaryLiteral elements: (ObservationKey, Value)...) {
        pairs = elements.map { ($0.0.name, $0.1) }
    }

    public init() {
        pairs = []
    }

    /// The value of a declared observation.
    public subscript(key: ObservationKey) -> Value? {
        get { self[dynamic: key.name] }
        set { self[dynamic: key.name] = newValue }
    }

    /// The value of an observation by its name: for names a check chooses itself (a probe's
    /// `namedObservations`, performance data) and for the runner, never for a name the spec declares.
    public subscript(dynamic name: String) -> Value? {
        get { pairs.first { $0.name == name }?.value }
        set {
            if let index = pairs.firstIndex(where: { $0.name == name }) {
                if let newValue { pairs[index].value = newValue } else { pairs.remove(at: index) }
            } else if let newValue {
                pairs.append((name, newValue))
            }
        }
    }

    public var count: Int { pairs.count }

    /// These values with `other`'s added, `other` winning on a shared name.
    public func merging(_ other: ObservedValues) -> ObservedValues {
        var out = self
        for (name, value) in other { out[dynamic: name] = value }
        return out
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: Value)]> { pairs.makeIterator() }
}
