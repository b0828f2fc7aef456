import DoctorCore
import DoctorProbes
import Foundation

// doctor-bench: measures runner properties that no built-in probe can exercise yet, and BLAKE3 throughput.
//
//   swift run -c release doctor-bench blake3 FILE
//   swift run -c release doctor-bench hung [--checks 100] [--timeout 1] [--jobs 100]
//
// Runs N checks whose probe never answers and ignores cancellation (it blocks its thread), each with the
// given timeout, and prints the wall time of the whole run: with enough jobs it is one timeout, not N.

/// Never answers: sleeps on its thread far past any timeout, without looking at cancellation.
struct HangingProbe: Probe {
    static let spec = ProbeSpec(
        type: "hang", summary: "Never answers.", parameters: [], observations: [ObservationSpec("done", .bool, "Never.")],
        defaultExpect: "{done: true}")

    init(parameters: Parameters) throws(ProbeError) {}

    func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        sleep(3600)
        return .single(["done": .bool(true)])
    }
}

/// Never answers, but politely: waits cooperatively (cancellation ends the wait).
struct WaitingProbe: Probe {
    static let spec = ProbeSpec(
        type: "wait", summary: "Waits an hour.", parameters: [], observations: [ObservationSpec("done", .bool, "Never.")],
        defaultExpect: "{done: true}")

    init(parameters: Parameters) throws(ProbeError) {}

    func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        try? await Task.sleep(for: .seconds(3600))
        return .single(["done": .bool(true)])
    }
}

func option(_ name: String, _ fallback: Double) -> Double {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Double(arguments[index + 1]) else { return fallback }
    return value
}

if CommandLine.arguments.dropFirst().first == "blake3", CommandLine.arguments.count == 3 {
    // BLAKE3 of a file, read in 1 MiB pieces: prints the hash, the size and the throughput.
    let path = CommandLine.arguments[2]
    guard let handle = FileHandle(forReadingAtPath: path) else {
        print("cannot open \(path)")
        exit(66)
    }
    var hasher = Blake3()
    var total = 0
    let started = ContinuousClock.now
    while let data = try? handle.read(upToCount: 1 << 20), !data.isEmpty {
        data.withUnsafeBytes { hasher.update($0) }
        total += data.count
    }
    let elapsed = ContinuousClock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print("\(Blake3.hex(hasher.finalize()))  \(total) bytes  \(String(format: "%.3f", seconds)) s  \(String(format: "%.1f", Double(total) / seconds / 1e6)) MB/s")
    exit(0)
}
guard CommandLine.arguments.dropFirst().first == "hung" else {
    print("usage: doctor-bench hung [--checks N] [--timeout SECONDS] [--jobs N] | doctor-bench blake3 FILE")
    exit(64)
}
let count = Int(option("--checks", 100)), timeout = option("--timeout", 1), jobs = Int(option("--jobs", 100))
let registry = ProbeRegistry([HangingProbe.self, WaitingProbe.self])
for type in ["wait", "hang"] {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("doctor-bench-\(getpid())-\(type)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var yaml = ""
    for index in 0..<count {
        yaml += "- {id: \(type)-\(index), title: t, category: configuration, severity: low, timeout: \(timeout)s, probe: {type: \(type)}}\n"
    }
    try yaml.write(toFile: directory + "/checks.yaml", atomically: true, encoding: .utf8)
    let catalog = try await CatalogLoader(registry: registry).load(paths: [directory])
    let runner = Runner(registry: registry, options: RunOptions(jobs: jobs))
    let started = ContinuousClock.now
    let outcome = await runner.run(Selection().plan(catalog))
    let elapsed = ContinuousClock.now - started
    let errors = outcome.results.filter { $0.status == .error && $0.message.hasPrefix("timed out after") }.count
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print("\(count) checks whose probe \(type == "hang" ? "blocks its thread and ignores cancellation" : "waits cooperatively"), timeout \(timeout)s, --jobs \(jobs): \(String(format: "%.2f", seconds)) s wall, \(errors)/\(count) reported 'timed out'")
}
exit(0)
