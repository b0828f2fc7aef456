import DoctorCore
import DoctorYAML
import DoctorTestSupport
import Foundation
import Synchronization

/// Probes for the runner's tests: each does one scripted thing.
struct ValueProbe: BoundedProbe {
    static let spec = ProbeSpec(
        type: "value", summary: "Observes the number it is given.",
        parameters: [Parameter.number, Parameter.text],
        observations: [Observed.number, Observed.text, Observed.latency])

    enum Parameter {
        static let number = ParameterKey.number("number", required: true, "The number to observe.")
        static let text = ParameterKey.string("text", "A text to observe.")
    }

    enum Observed {
        static let number = ObservationKey("number", .number, "The number.")
        static let text = ObservationKey("text", .string, "The text.")
        static let latency = ObservationKey("latency", .duration, "As a duration in seconds.")
    }

    let number: Double
    let text: String?

    init(parameters: Parameters) throws(ProbeError) {
        number = parameters[Parameter.number] ?? 0
        text = parameters[Parameter.text]
    }

    func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        var values: ObservedValues = [Observed.number: .double(number), Observed.latency: .double(number)]
        if let text { values[Observed.text] = .string(text) }
        return .single(values)
    }
}

/// Sleeps (cooperatively) for `seconds`, then observes `done: true`.
struct SleepProbe: Probe {
    static let spec = ProbeSpec(
        type: "sleep", summary: "Sleeps.",
        parameters: [Parameter.seconds], observations: [Observed.done], defaultExpect: "{done: true}")

    enum Parameter {
        static let seconds = ParameterKey.number("seconds", required: true, "How long.")
    }

    enum Observed {
        static let done = ObservationKey("done", .bool, "Always true.")
    }

    let seconds: Double

    init(parameters: Parameters) throws(ProbeError) {
        seconds = parameters[Parameter.seconds] ?? 0
    }

    func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        do {
            try await Task.sleep(for: .seconds(seconds))
        } catch {
            throw ProbeError("cancelled")
        }
        return .single([Observed.done: .bool(true)])
    }
}

/// Sleeps like `SleepProbe` but counts on a counter of its own: only the concurrency-bound test uses it, so
/// probes abandoned by other tests cannot move its count.
struct CountingProbe: Probe {
    static let spec = ProbeSpec(
        type: "counting", summary: "Sleeps, counting how many run at once.",
        parameters: [Parameter.seconds], observations: [Observed.done], defaultExpect: "{done: true}")

    enum Parameter {
        static let seconds = ParameterKey.number("seconds", required: true, "How long.")
    }

    enum Observed {
        static let done = ObservationKey("done", .bool, "Always true.")
    }

    static let inFlight = Mutex((now: 0, peak: 0))

    let seconds: Double

    init(parameters: Parameters) throws(ProbeError) {
        seconds = parameters[Parameter.seconds] ?? 0
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
        return .single([Observed.done: .bool(true)])
    }
}

/// Blocks its thread for `seconds` and never looks at cancellation: the runner must not wait for it.
struct StubbornProbe: Probe {
    static let spec = ProbeSpec(
        type: "stubborn", summary: "Ignores cancellation.",
        parameters: [Parameter.seconds], observations: [Observed.done], defaultExpect: "{done: true}")

    enum Parameter {
        static let seconds = ParameterKey.number("seconds", required: true, "How long it blocks.")
    }

    enum Observed {
        static let done = ObservationKey("done", .bool, "Always true.")
    }

    let seconds: Double

    init(parameters: Parameters) throws(ProbeError) {
        seconds = parameters[Parameter.seconds] ?? 0
    }

    func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        usleep(UInt32(seconds * 1_000_000))
        return .single([Observed.done: .bool(true)])
    }
}

/// Throws a probe error.
struct BrokenProbe: BoundedProbe {
    static let spec = ProbeSpec(type: "broken", summary: "Cannot run.", parameters: [], observations: [ObservationKey("x", .bool, "Never.")])

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
