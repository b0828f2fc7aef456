@testable import DoctorProbes

/// The exec probe's readers of a program's output: the first byte picks the exit code (0…4, so the refusal of a
/// status outside 0…3 is reached too) and the rest is the output, read as a Nagios plugin's (status line, perf
/// data in every unit and range form) and as the JSON plugin protocol.
enum ExecTarget {
    static func run(_ bytes: [UInt8]) {
        let exitCode = Int32((bytes.first ?? 0) % 5)
        let output = String(decoding: bytes.dropFirst(), as: UTF8.self)
        _ = try? ExecVerdict.nagios(output, exitCode: exitCode, program: "fuzz")
        _ = ExecVerdict.perfdata(output)
        _ = try? ExecVerdict.json(output)
    }
}
