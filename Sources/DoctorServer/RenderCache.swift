import DoctorCore
import DoctorFormatters
import Foundation
import Synchronization

/// The bodies formatted from one run, by endpoint and filter; emptied when a newer run is asked for, and bounded
/// (filters come from clients).
final class RenderCache: Sendable {
    private struct State {
        var run = 0
        var bodies: [String: String] = [:]
    }

    static let limit = 64
    private let state = Mutex(State())

    func text(run: Int, key: String, filter: ResultFilter, render: () -> String) -> String {
        let name = "\(key) \(filter.selection.governance) \(filter.selection.categories) \(filter.selection.minimumSeverity?.rawValue ?? "")"
        if let cached = state.withLock({ $0.run == run ? $0.bodies[name] : nil }) { return cached }
        let body = render()
        state.withLock { state in
            if state.run != run {
                guard run > state.run else { return }
                state = State(run: run)
            }
            if state.bodies.count < RenderCache.limit { state.bodies[name] = body }
        }
        return body
    }
}
