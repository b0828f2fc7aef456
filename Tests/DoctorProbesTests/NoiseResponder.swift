import DoctorCore
import DoctorTestSupport
import Foundation
import Testing

@testable import DoctorProbes

/// The responder of `Fixtures/noise/responder.py` (PyPI noiseprotocol), a stand-in for upstream's bus host that
/// follows its source (cited there) and is as strict as it, on a Unix socket in a directory of its own, with a
/// fresh server key pair written as `bus.key` / `bus.pub`. Its decisions are logged, a line each, to `log`.
final class NoiseResponder: @unchecked Sendable {
    let directory = TemporaryDirectory(prefix: "doctor-bus")
    let process: ChildProcess
    let socket: String
    let serverKey: X25519PrivateKey
    let logFile: String

    init(mode: String = "normal", _ options: [String] = []) throws {
        // The responder's key file holds the raw private key, as daemon-profile writes bus.key.
        let serverBytes = (0..<32).map { _ in UInt8.random(in: 0...255) }
        serverKey = try X25519PrivateKey(rawRepresentation: serverBytes)
        socket = directory.path + "/bus.sock"
        let keyFile = directory.path + "/bus.key"
        _ = FileManager.default.createFile(atPath: keyFile, contents: Data(serverBytes), attributes: [.posixPermissions: 0o600])
        _ = FileManager.default.createFile(atPath: directory.path + "/bus.pub", contents: Data(serverKey.publicKey))
        let out = directory.path + "/responder.out"
        logFile = directory.path + "/responder.log"
        process = try ChildProcess(
            ["/usr/bin/env", "python3", fixtures + "/noise/responder.py", socket, keyFile, "--mode", mode] + options, stdout: out, stderr: logFile)
        guard ChildProcess.waitFor(seconds: 15, { (try? String(contentsOfFile: out, encoding: .utf8))?.contains("ready") == true }) else {
            throw ToolError("responder did not start: \((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "")")
        }
    }

    func check(_ id: String, _ extra: String = "", expect: String) -> String {
        fileCheck(id, "{type: noise-ik, socket: \"\(socket)\"\(extra)}", expect)
    }

    /// The responder's decisions so far, a line each.
    var log: [String] { ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

    /// One scenario of `Fixtures/noise/initiator.py`, a second client we did not write in Swift: its outcome line.
    func initiator(_ scenario: String) throws -> String {
        try ReferenceData.capture(["/usr/bin/env", "python3", fixtures + "/noise/initiator.py", socket, directory.path + "/bus.pub", scenario])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

