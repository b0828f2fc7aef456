public import DoctorCore
import Synchronization

/// What `/events` streams: a run starting, each check result as it is known, and the run finishing.
public enum ServerEvent: Sendable {
    case runStarted(run: Int, startedAt: Double, checks: Int)
    case check(run: Int, sequence: Int, result: CheckResult)
    case runFinished(run: Int, report: RunReport)
}
