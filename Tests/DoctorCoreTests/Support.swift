import DoctorCore
import DoctorYAML
import DoctorTestSupport
import Foundation
import Synchronization

/// Probes for the runner's tests: each does one scripted thing.
struct ValueProbe: BoundedProbe {
    static let spec = ProbeSpec(
        type: "value", summary: "Observes the number it is given.",
        parameters: [
            ParameterSpec("number", .number, required: true, "The number to observe."),
            ParameterSpec("text", .string, "A text to observe."),
        ],
        observations: [ObservationSpec("number", .number, "The number."), ObservationSpec("text", .string, "The text."), ObservationSpec("latency", .duration, "As a duration in seconds.")])

    let number: Double
    let text: String?

    init(parameters: Parameters) throws(ProbeError) {
        number = parameters.double("number") ?? 0
        text = parameters.string("text")
    }

    func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        var values: ObservedValues = ["number": .double(number), "latency": .double(number)]
        if let text { values["text"] = .string(text) }
        return .single(values)
    }
}

/// Sleeps (cooperatively) for `seconds`, then observes `done: true`.
struct SleepProbe: Probe {
    static let spec = ProbeSpec(
        type: "sleep", summary: "Sleeps.",
        parameters: [ParameterSpec("seconds", .number, required: true, "How long.")],
        observations: [ObservationSpec("done", .bool, "Always true.")], defaultExpect: "{done: true}")

    let seconds: Double

    init(parameters: Parameters) throws(ProbeError) {
        seconds = parameters.double("seconds") ?? 0
    }

    func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        do {
            try await Task.sleep(for: .seconds(seconds))
        } catch {
            throw ProbeError("cancelled")
        }
        return .single(["done": .bool(true)])
    }
}

/// Sleeps like `SleepProbe` but counts on a counter of its own: only the concurrency-bound test uses it, so
/// probes abandoned by other tests cannot move its count.
struct CountingProbe: Probe {
    static let spec = ProbeSpec(
        type: "counting", summary: "Sleeps, counting how many run at once.",
        parameters: [ParameterSpec("seconds", .number, required: true, "How long.")],
        observations: [ObservationSpec("done", .bool, "Always true.")], defaultExpect: "{done: true}")

    static let inFlight = Mutex((now: 0, peak: 0))

    let seconds: Double

    init(parameters: Parameters) throws(ProbeError) {
        seconds = parameters.double("seconds") ?? 0
    }

    func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        CountingProbe.inFlight.withLock { state in
            state.now += 1
            state.peak = max(state.peak, state.now)
        }
        defer { CountingProbe.inFlight.withLock { $0.now -= 1 } }
        do {
            try await Task.sleep(for: .seconds(seconds))
        } catch {
            throw ProbeError("cancelled")
        }
        return .single(["done": .bool(true)])
    }
}

/// Blocks its thread for `seconds` and never looks at cancellation: the runner must not wait for it.
struct StubbornProbe: Probe {
    static let spec = ProbeSpec(
        type: "stubborn", summary: "Ignores cancellation.",
        parameters: [ParameterSpec("seconds", .number, required: true, "How long it blocks.")],
        observations: [ObservationSpec("done", .bool, "Always true.")], defaultExpect: "{done: true}")

    let seconds: Double

    init(parameters: Parameters) throws(ProbeError) {
        seconds = parameters.double("seconds") ?? 0
    }

    func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        usleep(UInt32(seconds * 1_000_000))
        return .single(["done": .bool(true)])
    }
}

/// Throws a probe error.
struct BrokenProbe: BoundedProbe {
    static let spec = ProbeSpec(type: "broken", summary: "Cannot run.", parameters: [], observations: [ObservationSpec("x", .bool, "Never.")])

    init(parameters: Parameters) throws(ProbeError) {}

    func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        throw ProbeError("device on fire")
    }
}

let testRegistry = ProbeRegistry([ValueProbe.self, SleepProbe.self, CountingProbe.self, StubbornProbe.self, BrokenProbe.self])

/// Loads `files` (name → YAML) as a catalog.
func loadCatalog(_ files: [String: String], registry: ProbeRegistry = testRegistry) async throws(CatalogError) -> Catalog {
    let directory = TemporaryDirectory()
    for (name, text) in files { directory.write(name, text) }
    return try await CatalogLoader(registry: registry).load(paths: [directory.path])
}

/// The issues a broken catalog produces, as text with the directory stripped.
func catalogIssues(_ files: [String: String], registry: ProbeRegistry = testRegistry) async -> [String] {
    let directory = TemporaryDirectory()
    for (name, text) in files { directory.write(name, text) }
    do {
        _ = try await CatalogLoader(registry: registry).load(paths: [directory.path])
        return []
    } catch {
        return error.issues.map { $0.description.replacingOccurrences(of: directory.path + "/", with: "") }
    }
}

/// One check in YAML with the required keys filled in.
func check(_ id: String, probe: String, expect: String? = nil, extra: String = "") -> String {
    checkYAML(id, probe: probe, expect: expect, extra: extra)
}
