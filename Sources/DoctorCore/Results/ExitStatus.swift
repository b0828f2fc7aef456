/// The exit codes of `doctor`. One table, used by every command and documented in `docs/exit-codes.md`.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Every check passed or was skipped.
    case ok = 0
    /// At least one warning; no failure, no error.
    case warnings = 1
    /// At least one check failed.
    case failures = 2
    /// At least one check could not run (error or timeout), and none failed.
    case errors = 3
    /// The command line was wrong.
    case usage = 64
    /// The catalog is invalid (`validate`, and `run` refuses to start).
    case invalidCatalog = 65
    /// `doctor serve` cannot listen: the address is taken, or the socket path is refused.
    case unavailable = 69
    /// An output could not be written.
    case cannotWrite = 73
    /// The run was interrupted by SIGINT (128 + 2); a partial report was written.
    case interrupted = 130
    /// The run was stopped by SIGTERM (128 + 15); a partial report was written.
    case terminated = 143

    /// The exit status for a set of results: fail wins over error, error over warn.
    public static func of(_ counts: StatusCounts) -> ExitStatus {
        if counts.fail > 0 { return .failures }
        if counts.error > 0 { return .errors }
        if counts.warn > 0 { return .warnings }
        return .ok
    }

    public var meaning: String {
        switch self {
        case .ok: "every selected check passed or was skipped"
        case .warnings: "warnings only: no check failed or errored"
        case .failures: "at least one check failed"
        case .errors: "at least one check errored (could not run, or timed out) and none failed"
        case .usage: "usage error: unknown option, bad value"
        case .invalidCatalog: "invalid catalog: nothing was run"
        case .unavailable: "serve: cannot listen (address in use, another server on the socket, a refused socket path)"
        case .cannotWrite: "an output could not be written or sent (a file, an OTLP receiver); the others were written"
        case .interrupted: "interrupted by SIGINT: the report written is partial (incomplete: true)"
        case .terminated: "stopped by SIGTERM: the report written is partial (incomplete: true)"
        }
    }
}
