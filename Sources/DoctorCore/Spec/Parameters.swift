import Logging

/// The resolved parameters of one check. A probe reads them by the keys its spec declares:
/// `parameters[Parameter.path]`, typed by the key; there is no lookup by a name typed again.
public struct Parameters: Sendable {
    let values: [String: Value]
    /// The parameters of the probe's spec: reading a key the spec does not declare is a bug, caught in debug
    /// builds (the tests); nil when built without a spec.
    let declared: [ParameterSpec]?

    public init(_ values: [String: Value], spec: ProbeSpec? = nil) {
        self.values = values
        self.declared = spec?.parameters
    }

    /// The parameter of `key`: typed, and the key's default (if it has one) when the check does not give it.
    public subscript<Reading>(key: ParameterKey<Reading>) -> Reading {
        assert(declared?.contains { $0.name == key.name } ?? true, "parameter '\(key.name)' is read but not declared in the probe's spec")
        return key.read(values[key.name])
    }

    /// Whether the check gives the parameter of `key` (a default does not count).
    public func contains(_ key: any ParameterDeclaration) -> Bool {
        assert(declared?.contains { $0.name == key.spec.name } ?? true, "parameter '\(key.spec.name)' is read but not declared in the probe's spec")
        return values[key.spec.name] != nil
    }
}
