public import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// The system load averages from /proc/loadavg: a probe defined outside doctor. It only reads a small local
/// file, so it is a `BoundedProbe` (run inline, no timer). Its parameters and observations are declared once, as
/// keys: the spec lists them, `init` reads by them and `observe` writes by them, so a misspelt name does not compile.
public struct LoadAverageProbe: BoundedProbe {
    enum Parameter {
        static let path = ParameterKey.string("path", default: "/proc/loadavg", "The file to read (for tests).")
        static let perCPU = ParameterKey.bool("per_cpu", default: false, "Divide by the number of online CPUs.")
    }

    enum Observed {
        static let load1 = ObservationKey("load1", .number, "The 1-minute load average.")
        static let load5 = ObservationKey("load5", .number, "The 5-minute load average.")
        static let load15 = ObservationKey("load15", .number, "The 15-minute load average.")
        static let runnable = ObservationKey("runnable", .integer, "Processes running or runnable now.")
    }

    public static let spec = ProbeSpec(
        type: "loadavg",
        summary: "The 1, 5 and 15 minute load averages, optionally per CPU.",
        discussion: "Reads /proc/loadavg (or `path`). With `per_cpu: true` the averages are divided by the number of online CPUs.",
        parameters: [Parameter.path, Parameter.perCPU],
        observations: [Observed.load1, Observed.load5, Observed.load15, Observed.runnable],
        defaultExpect: "{load5: {lt: 100}}",
        examples: [
            ProbeExample("The machine is not overloaded", """
                id: host-load
                title: The 5-minute load per CPU is under 2
                category: platform-integration
                severity: low
                probe: {type: loadavg, per_cpu: true}
                expect: {load5: {lt: 2, warn_if: {gt: 1}}}
                """),
        ])

    let path: String
    let perCPU: Bool

    public init(parameters: Parameters) throws(ProbeError) {
        path = parameters[Parameter.path]
        perCPU = parameters[Parameter.perCPU]
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        guard let file = fopen(path, "r") else { throw ProbeError("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 256)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { throw ProbeError("\(path) is empty") }
        let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // "0.52 0.58 0.59 1/467 12345"
        let fields = line.split(separator: " ")
        guard fields.count >= 4, let one = Double(fields[0]), let five = Double(fields[1]), let fifteen = Double(fields[2]),
              let runnable = fields[3].split(separator: "/").first.flatMap({ Int64($0) }) else {
            throw ProbeError("\(path) is not in the /proc/loadavg format: \(line.prefix(80))")
        }
        let divisor = perCPU ? Double(max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))) : 1
        return .single([
            Observed.load1: .double(one / divisor), Observed.load5: .double(five / divisor), Observed.load15: .double(fifteen / divisor),
            Observed.runnable: .int(runnable),
        ])
    }
}
