import DoctorTestSupport
import Foundation
import Testing

/// The repository root (this file is Tests/DoctorCLITests/Support.swift).
let repoRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// A built executable of this package: next to the test bundle, else in .build/debug.
func executable(_ name: String) throws -> String {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    for candidate in [ProcessInfo.processInfo.environment["DOCTOR_BIN_DIR"].map { $0 + "/" + name }, beside, repoRoot + "/.build/debug/" + name].compactMap({ $0 })
    where FileManager.default.isExecutableFile(atPath: candidate) {
        return candidate
    }
    throw ToolMissing(message: "the '\(name)' executable is not built: run `swift build` first")
}

/// An external tool the tests need; its absence fails the test with the install command.
func tool(_ name: String) throws -> String {
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw ToolMissing(message: "'\(name)' is not installed: run ./scripts/bootstrap")
}

struct ToolMissing: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

struct Completed {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program to completion with the given environment additions (and without the ones set to nil).
@discardableResult
func run(_ path: String, _ arguments: [String], environment: [String: String?] = [:], cwd: String? = nil, stdin: String? = nil) throws -> Completed {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = nil
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes concurrently so a large output cannot fill one and block the child.
    let errData = LockedData()
    let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errData.done { usleep(1000) }
    return Completed(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData.value, as: UTF8.self))
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var finished = false
    func set(_ value: Data) { lock.lock(); data = value; finished = true; lock.unlock() }
    var done: Bool { lock.lock(); defer { lock.unlock() }; return finished }
    var value: Data { lock.lock(); defer { lock.unlock() }; return data }
}

func doctor(_ arguments: [String], environment: [String: String?] = [:], cwd: String? = nil) throws -> Completed {
    try run(try executable("doctor"), arguments, environment: environment, cwd: cwd)
}

typealias Scratch = TemporaryDirectory

/// A check on an environment variable (`env` probe) with the required keys filled in.
func envCheck(_ id: String, _ name: String, expect: String? = nil, extra: String = "") -> String {
    var text = "- id: \(id)\n  title: \(id)\n  category: configuration\n  severity: medium\n  probe: {type: env, name: \(name)}\n"
    if let expect { text += "  expect: \(expect)\n" }
    if !extra.isEmpty { text += "  \(extra)\n" }
    return text
}
