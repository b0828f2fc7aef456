import DoctorCore
@testable import DoctorFormatters
import DoctorTestSupport
import Foundation
import Testing

/// Runs a tool with `input` written to a file; its exit status and combined output.
func tool(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
    let directory = TemporaryDirectory(prefix: "doctor-tool")
    var argv = arguments
    if let input {
        let path = directory.write("input", input)
        argv = argv.map { $0.replacing("{input}", with: path) }
    }
    let child = try ChildProcess(argv, stdout: directory.path + "/out")
    let status = child.wait()
    return (status, directory.read("out") ?? "")
}

