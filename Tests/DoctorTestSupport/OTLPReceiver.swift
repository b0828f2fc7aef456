import Foundation

/// `Tests/Fixtures/otlp/receiver.py` (OTLP/HTTP) or `grpc_receiver.py` (OTLP/gRPC, grpcio): a receiver that
/// decodes every export with the official definitions (PyPI opentelemetry-proto) and records what it decoded.
/// `mode`: normal, slow (answers after 30 s), fail (HTTP 500; gRPC UNAVAILABLE "receiver off").
public final class OTLPReceiver: @unchecked Sendable {
    public let directory = TemporaryDirectory(prefix: "doctor-otlp")
    let process: ChildProcess
    public let port: Int

    public init(mode: String = "normal", grpc: Bool = false) throws {
        let portFile = directory.path + "/port"
        let script = grpc ? "grpc_receiver.py" : "receiver.py"
        process = try ChildProcess(
            ["/usr/bin/env", "python3", ReferenceData.repository + "/Tests/Fixtures/otlp/\(script)", portFile, directory.path + "/received.jsonl", "--mode", mode],
            stdout: directory.path + "/receiver.log")
        let folder = directory
        guard ChildProcess.waitFor(seconds: 15, { (folder.read("port") ?? "").count > 0 }), let port = Int(folder.read("port") ?? "") else {
            process.stop()
            throw ChildProcessError("the OTLP receiver did not start (needs python3 with opentelemetry-proto and grpcio: scripts/bootstrap --test): \(folder.read("receiver.log") ?? "")")
        }
        self.port = port
    }

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// The decoded requests, in arrival order.
    public func received() throws -> [[String: Any]] {
        (directory.read("received.jsonl") ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}

/// `Tests/Fixtures/otlp/hostile_receiver.py MODE`: a receiver that breaks the protocol on purpose.
public final class HostileOTLPReceiver: @unchecked Sendable {
    public let directory = TemporaryDirectory(prefix: "doctor-otlp-hostile")
    let process: ChildProcess
    public let port: Int

    public init(mode: String) throws {
        let portFile = directory.path + "/port"
        process = try ChildProcess(["/usr/bin/env", "python3", ReferenceData.repository + "/Tests/Fixtures/otlp/hostile_receiver.py", portFile, mode], stdout: directory.path + "/log")
        let folder = directory
        guard ChildProcess.waitFor(seconds: 15, { (folder.read("port") ?? "").count > 0 }), let port = Int(folder.read("port") ?? "") else {
            process.stop()
            throw ChildProcessError("the hostile receiver did not start: \(folder.read("log") ?? "")")
        }
        self.port = port
    }

    public var endpoint: String { "http://127.0.0.1:\(port)" }
}
