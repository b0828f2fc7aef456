/// The probe a check runs, with its parameters (typed; templated values resolve per run).
public struct ProbeInvocation: Sendable {
    public var type: String
    public var parameters: [(name: String, value: Setting)]
    public var mark: SourceMark

    public init(type: String, parameters: [(name: String, value: Setting)], mark: SourceMark) {
        self.type = type
        self.parameters = parameters
        self.mark = mark
    }
}
