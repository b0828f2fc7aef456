import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a run behaves.
public struct RunOptions: Sendable {
    /// Checks in flight at once (`--jobs`).
    public var jobs: Int
    /// Per-check timeout when neither the check nor `--timeout` sets one (the catalog's, else 5 s).
    public var defaultTimeout: Double
    /// `--timeout`: the timeout of every check that does not set its own.
    public var timeoutOverride: Double?
    /// `--deadline`: the whole run's time budget.
    public var deadline: Double?
    public var variables: Variables
    /// The frameworks the run was selected for (`--governance`): their `governance_expect` expectations apply.
    public var frameworks: Set<String>
    /// Settings for particular probes, handed to each in its `ProbeContext` (e.g. the exec policy).
    public var settings: ProbeSettings

    public init(
        jobs: Int = RunOptions.defaultJobs, defaultTimeout: Double = 5, timeoutOverride: Double? = nil, deadline: Double? = nil,
        variables: Variables = Variables(), frameworks: Set<String> = [], settings: ProbeSettings = ProbeSettings()
    ) {
        self.settings = settings
        self.jobs = jobs
        self.defaultTimeout = defaultTimeout
        self.timeoutOverride = timeoutOverride
        self.deadline = deadline
        self.variables = variables
        self.frameworks = frameworks
    }

    /// Twice the number of online processors.
    public static var defaultJobs: Int { max(1, 2 * Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
