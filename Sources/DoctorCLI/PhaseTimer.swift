import ArgumentParser
import DoctorCore
import Foundation
import Logging
import Synchronization

/// Phase timings on standard error when `DOCTOR_TIMINGS=1` (for profiling; not part of any output format).
final class PhaseTimer: @unchecked Sendable {
    private var last = ContinuousClock.now
    private var phases: [(String, Duration)] = []
    private let enabled = ProcessInfo.processInfo.environment["DOCTOR_TIMINGS"] == "1"

    func mark(_ name: String) {
        guard enabled else { return }
        let now = ContinuousClock.now
        phases.append((name, now - last))
        last = now
    }

    func report() {
        guard enabled else { return }
        Console.err(phases.map { "\($0.0) \($0.1.formatted(.units(allowed: [.milliseconds], fractionalPart: .show(length: 1))))" }.joined(separator: ", "))
    }
}
