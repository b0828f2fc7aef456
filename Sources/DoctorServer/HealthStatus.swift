public import DoctorCore

/// `/health`'s verdict: ok when nothing failed, degraded on warnings or a partial run, failing on a failure or
/// an error.
public enum HealthStatus: String, Sendable {
    case ok, degraded, failing

    public init(_ results: some Sequence<CheckResult>, incomplete: Bool = false) {
        var warned = incomplete
        for result in results {
            switch result.status {
            case .fail, .error:
                self = .failing
                return
            case .warn: warned = true
            case .pass, .skip: continue
            }
        }
        self = warned ? .degraded : .ok
    }
}
