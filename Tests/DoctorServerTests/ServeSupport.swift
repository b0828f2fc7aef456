import DoctorTestSupport
import Foundation
import Testing

/// A `doctor serve` started for a test, on a private socket (and TCP when asked); SIGKILLed when released.
final class ServeProcess: @unchecked Sendable {
    let scratch = TemporaryDirectory(prefix: "doctor-serve")
    let process: ChildProcess
    let socket: String
    let log: String
    private(set) var port: Int?

    /// Starts `doctor serve` with `catalog` (YAML text) and waits until it listens and, unless `waitForRun` is
    /// false, until its first run has finished.
    init(catalog: String, arguments: [String] = [], environment: [String: String] = [:], socket: String? = nil, waitForRun: Bool = true) async throws {
        scratch.write("checks/serve.yaml", catalog)
        self.socket = socket ?? scratch.path + "/run/pds/doctor.sock"
        log = scratch.path + "/serve.log"
        process = try ChildProcess(
            [try executable("doctor"), "serve", "--catalog", scratch.path + "/checks", "--socket", self.socket, "--interval", "1h", "--min-age", "0s"] + arguments,
            environment: ["DOCTOR_CACHE": "off", "DOCTOR_GOVERNANCE": repoRoot + "/governance"].merging(environment) { $1 }, stdout: log)
        let expected = arguments.filter { $0 == "--listen" }.count + (arguments.contains("--no-socket") ? 0 : 1)
        guard await ChildProcess.waitFor(seconds: 30, { self.output.components(separatedBy: "serving on ").count - 1 >= expected || self.exited }) else {
            throw ChildProcessError("doctor serve did not start: \(output)")
        }
        if let range = output.range(of: "serving on http://127.0.0.1:") {
            port = Int(output[range.upperBound...].prefix { $0.isNumber })
        }
        if waitForRun && !exited {
            _ = await ChildProcess.waitFor(seconds: 30) { (try? self.curl("/health").status).map { $0 != 503 || !self.lastBody.contains("starting") } ?? false }
        }
    }

    var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    var exited: Bool { kill(process.pid, 0) != 0 || processStatusIsZombie }

    private var processStatusIsZombie: Bool {
        ((try? String(contentsOfFile: "/proc/\(process.pid)/stat", encoding: .utf8)) ?? "").contains(") Z ")
    }

    private var lastBody = ""

    /// One request with curl over the Unix socket (or TCP with `tcp: true`).
    @discardableResult
    func curl(_ target: String, method: String = "GET", tcp: Bool = false, extra: [String] = []) throws -> HTTPAnswer {
        let headers = scratch.path + "/headers-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: headers) }
        var arguments = ["-s", "-S", "--max-time", "20", "-D", headers, "-X", method] + extra
        if method == "HEAD" { arguments = ["-s", "-S", "--max-time", "20", "-D", headers, "-I"] + extra }
        if tcp {
            arguments.append("http://127.0.0.1:\(port!)\(target)")
        } else {
            arguments += ["--unix-socket", socket, "http://doctor\(target)"]
        }
        let result = try run(try tool("curl"), arguments)
        let head = (try? String(contentsOfFile: headers, encoding: .utf8)) ?? ""
        let statusLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
        let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        var fields: [String: String] = [:]
        for line in head.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        lastBody = result.stdout
        return HTTPAnswer(status: status, headers: fields, body: result.stdout, curlStatus: result.status, curlError: result.stderr)
    }

    /// SIGTERM, then the exit status (SIGKILL after `seconds`).
    func terminate(within seconds: Double = 15) async -> Int32? {
        kill(process.pid, SIGTERM)
        guard await ChildProcess.waitFor(seconds: seconds, { self.exited }) else { return nil }
        return await process.wait()
    }
}

struct HTTPAnswer {
    var status: Int
    var headers: [String: String]
    var body: String
    var curlStatus: Int32
    var curlError: String

    var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]) ?? [:] }
}

/// The catalog most serve tests use: two configuration checks that pass, and a vault check on a marker file
/// that fails until the test creates the file.
func serveCatalog(marker: String) -> String {
    """
    - id: serve-home
      title: HOME is set
      category: configuration
      severity: low
      governance: {soc2: [CC7.1]}
      probe: {type: env, name: HOME}
      expect: {set: true}
    - id: serve-path
      title: PATH is set
      category: configuration
      severity: medium
      probe: {type: env, name: PATH}
      expect: {set: true}
    - id: serve-marker
      title: 'The marker file <b>exists</b> & "is" there'
      category: vault-integrity
      severity: critical
      governance: {pci-dss: ["3.5.1"]}
      probe: {type: file, path: "\(marker)"}
      expect: {exists: true}
      remediation: touch the marker <file> & "quote" it

    """
}
