import DoctorCore
import DoctorYAML
import DoctorFormatters
import DoctorProbes
import Foundation

// doctor-bench: measures runner properties that no built-in probe can exercise yet, and BLAKE3 throughput.
//
//   swift run -c release doctor-bench blake3 FILE
//   swift run -c release doctor-bench formats [--checks 10000]
//   swift run -c release doctor-bench hung [--checks 100] [--timeout 1] [--jobs 100]
//
// Runs N checks whose probe never answers and ignores cancellation (it blocks its thread), each with the
// given timeout, and prints the wall time of the whole run: with enough jobs it is one timeout, not N.

/// The one observation of the probes below (which never make it).
let done = ObservationKey("done", .bool, "Never.")

/// Never answers: sleeps on its thread far past any timeout, without looking at cancellation.
struct HangingProbe: Probe {
    static let spec = ProbeSpec(
        type: "hang", summary: "Never answers.", parameters: [], observations: [done],
        defaultExpect: "{done: true}")

    init(parameters: Parameters) throws(ProbeError) {}

    func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        sleep(3600)
        return .single([done: .bool(true)])
    }
}

/// Never answers, but politely: waits cooperatively (cancellation ends the wait).
struct WaitingProbe: Probe {
    static let spec = ProbeSpec(
        type: "wait", summary: "Waits an hour.", parameters: [], observations: [done],
        defaultExpect: "{done: true}")

    init(parameters: Parameters) throws(ProbeError) {}

    func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        try? await Task.sleep(for: .seconds(3600))
        return .single([done: .bool(true)])
    }
}

func option(_ name: String, _ fallback: Double) -> Double {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Double(arguments[index + 1]) else { return fallback }
    return value
}

if CommandLine.arguments.dropFirst().first == "formats" {
    // Each output format over a synthetic report of N checks (a fifth fail with evidence, the rest pass):
    // the time to produce the whole output in memory, median of 5.
    let count = Int(option("--checks", 10_000))
    let categories = ["daemon-liveness", "ipc-connectivity", "vault-integrity", "crypto-posture", "platform-integration", "configuration"]
    var results: [CheckResult] = []
    for index in 0..<count {
        var values = CheckValues()
        values.id = "check-\(index)"
        values.title = "Check number \(index)"
        values.category = categories[index % categories.count]
        values.severity = .high
        values.governance = [("pci-dss", ["3.6.1"]), ("soc2", ["CC6.1"])]
        values.probe = ProbeInvocation(type: "file", parameters: [], mark: SourceMark(line: 1, column: 1))
        values.remediation = "chmod 0600 /run/x"
        values.location = SourceLocation(file: "checks/x.yaml", mark: SourceMark(line: index + 1, column: 3))
        let check = Check(values)
        let failed = index % 5 == 0
        let observed = [ObservedSubject(subject: "/run/user/1000/pds/key-\(index)", values: [
            ObservedValue(name: "mode", value: .int(failed ? 0o644 : 0o600), type: .fileMode),
            ObservedValue(name: "owner", value: .principal(id: 1000, name: "user"), type: .principal),
        ])]
        results.append(CheckResult(
            check: check, status: failed ? .fail : .pass, message: failed ? "mode is 0644, expected == 0600" : "mode 0600",
            observed: observed, startedAt: 1_795_000_000, finishedAt: 1_795_000_000.001, duration: .milliseconds(1)))
    }
    let report = RunReport(toolVersion: DoctorVersion.current, catalogDigest: "ab", host: "bench", startedAt: 1_795_000_000, finishedAt: 1_795_000_001, selection: Selection(), results: results)
    func time(_ label: String, _ body: () -> Int) {
        var samples: [Double] = []
        var size = 0
        for _ in 0..<5 {
            let started = ContinuousClock.now
            size = body()
            let elapsed = ContinuousClock.now - started
            samples.append(elapsed.seconds * 1000)
        }
        samples.sort()
        print("\(label): \(String(format: "%.1f", samples[2])) ms (min \(String(format: "%.1f", samples[0]))), \(size / 1024) KiB, \(count) checks")
    }
    for formatter in BuiltInFormatters.all {
        let instance = formatter.init(options: FormatOptions(verbose: true))
        time(formatter.name) {
            var total = 0
            instance.write(report) { total += $0.utf8.count }
            return total
        }
    }
    let encoder = OTLPEncoder(resource: .init())
    time("otlp protobuf (metrics + traces)") { encoder.metricsProtobuf(report).count + encoder.tracesProtobuf(report).count }
    time("otlp json (metrics + traces)") { encoder.metricsJSON(report).utf8.count + encoder.tracesJSON(report).utf8.count }
    exit(0)
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
    let seconds = elapsed.seconds
    print("\(Hex.encode(hasher.finalize()))  \(total) bytes  \(String(format: "%.3f", seconds)) s  \(String(format: "%.1f", Double(total) / seconds / 1e6)) MB/s")
    exit(0)
}
guard CommandLine.arguments.dropFirst().first == "hung" else {
    print("usage: doctor-bench hung [--checks N] [--timeout SECONDS] [--jobs N] | doctor-bench blake3 FILE | doctor-bench formats [--checks N]")
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
    let seconds = elapsed.seconds
    print("\(count) checks whose probe \(type == "hang" ? "blocks its thread and ignores cancellation" : "waits cooperatively"), timeout \(timeout)s, --jobs \(jobs): \(String(format: "%.2f", seconds)) s wall, \(errors)/\(count) reported 'timed out'")
}
exit(0)
