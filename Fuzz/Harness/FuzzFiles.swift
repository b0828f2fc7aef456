import Foundation

/// The harness's own scratch directory (one per process, under $TMPDIR), where inputs become files.
enum FuzzFiles {
    static let root: String = {
        var template = Array(((ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/doctor-fuzz-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("doctor-fuzz: cannot create a scratch directory") }
        return String(cString: made)
    }()

    /// A directory of its own under the scratch directory.
    static func directory(_ name: String) -> String {
        let path = root + "/" + name
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ bytes: [UInt8], to path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    static func remove(_ path: String) {
        unlink(path)
    }
}
