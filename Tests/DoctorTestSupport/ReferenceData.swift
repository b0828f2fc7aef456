import Foundation

/// Reference data that the tests compare doctor with, none of it written by this project: files that Debian and
/// PyPI packages install (`scripts/bootstrap --test`), and answers computed by implementations we did not
/// write. A test that needs one and finds it missing fails with a message naming the package; it never passes
/// for want of data.
public enum ReferenceData {
    /// The repository this test build came from.
    public static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Where `scripts/bootstrap --test` unpacks reference files that come inside a PyPI source archive
    /// (git-ignored).
    public static let directory = repository + "/.test-data"

    /// The Noise test vectors of the Go implementation (Debian golang-github-flynn-noise-dev).
    public static let flynnNoiseVectors = "/usr/share/gocode/src/github.com/flynn/noise/vectors.txt"

    /// The JUnit XML Schema that pytest tests its own reports with (`testing/example_scripts/junit-10.xsd` of
    /// the pytest source archive on PyPI, unpacked by `scripts/bootstrap --test`).
    public static let junitSchema = directory + "/junit-10.xsd"

    /// The contents of a reference file, or an error naming the package that installs it.
    public static func read(_ path: String, from package: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ChildProcessError("reference data missing: \(path) (from \(package); run scripts/bootstrap --test)")
        }
        return text
    }

    /// `path` if it exists, else an error naming the package that installs it.
    public static func require(_ path: String, from package: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ChildProcessError("reference data missing: \(path) (from \(package); run scripts/bootstrap --test)")
        }
        return path
    }

    /// Runs `arguments` (the first looked up on PATH when not absolute) with `input` on standard input; its
    /// standard output. A tool that is missing or exits non-zero is an error carrying what it printed.
    public static func capture(_ arguments: [String], input: [UInt8] = []) throws -> String {
        let scratch = TemporaryDirectory(prefix: "doctor-reference")
        let inputPath = scratch.path + "/in", outputPath = scratch.path + "/out"
        _ = FileManager.default.createFile(atPath: inputPath, contents: Data(input))
        let child = try ChildProcess([try resolve(arguments[0])] + arguments.dropFirst(), stdout: outputPath, stdin: inputPath, stderr: scratch.path + "/err")
        let status = child.wait()
        let output = scratch.read("out") ?? ""
        guard status == 0 else {
            throw ChildProcessError("\(arguments.joined(separator: " ")) exited with status \(status): \(scratch.read("err") ?? "")")
        }
        return output
    }

    /// An absolute path for `name`, searching PATH.
    public static func resolve(_ name: String) throws -> String {
        if name.hasPrefix("/") { return name }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw ChildProcessError("\(name) is not on PATH (run scripts/bootstrap --test)")
    }
}
