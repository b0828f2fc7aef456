/// Counts per status.
public struct StatusCounts: Sendable, Equatable {
    public var pass = 0, warn = 0, fail = 0, error = 0, skip = 0

    public init() {}

    public init(_ results: [CheckResult]) {
        for result in results { self[result.status] += 1 }
    }

    public subscript(status: CheckStatus) -> Int {
        get {
            switch status {
            case .pass: pass
            case .warn: warn
            case .fail: fail
            case .error: error
            case .skip: skip
            }
        }
        set {
            switch status {
            case .pass: pass = newValue
            case .warn: warn = newValue
            case .fail: fail = newValue
            case .error: error = newValue
            case .skip: skip = newValue
            }
        }
    }

    public var total: Int { pass + warn + fail + error + skip }
}
