import DoctorCore
@testable import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

/// Starts `Fixtures/process/posture.py` (through `prefix`, e.g. setpriv or prlimit) and waits for "ready".
func postureProcess(_ prefix: [String], _ flags: [String] = []) throws -> ChildProcess {
    let directory = TemporaryDirectory(prefix: "doctor-posture")
    let out = directory.path + "/out"
    let child = try ChildProcess(prefix + ["/usr/bin/python3", fixtures + "/process/posture.py"] + flags, stdout: out)
    guard ChildProcess.waitFor(seconds: 10, { (try? String(contentsOfFile: out, encoding: .utf8))?.contains("ready") == true }) else {
        throw ToolError("posture.py did not start: \((try? String(contentsOfFile: out, encoding: .utf8)) ?? "")")
    }
    return child
}

/// A field of `/proc/<pid>/status`, read by the test itself.
func statusField(_ pid: pid_t, _ name: String) -> String? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
        return line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
    }
    return nil
}

func processCheck(_ id: String, _ pid: pid_t, _ expect: String) -> String {
    fileCheck(id, "{type: process, pid: \(pid)}", expect)
}

