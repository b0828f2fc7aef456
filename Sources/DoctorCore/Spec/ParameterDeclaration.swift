/// Anything a `ProbeSpec` can list as a parameter: a `ParameterKey` of any reading type.
public protocol ParameterDeclaration: Sendable {
    var spec: ParameterSpec { get }
}
