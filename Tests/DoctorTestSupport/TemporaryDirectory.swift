import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A temporary directory for a test's files, removed when the value goes away.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(prefix: String = "doctor-test") {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Writes `text` to `name` (creating directories), with `mode`; returns the full path.
    @discardableResult
    public func write(_ name: String, _ text: String, mode: mode_t = 0o644) -> String {
        let full = path + "/" + name
        try? FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        // Written beside and renamed into place, through a close-on-exec descriptor: a program spawned by another
        // test in the meantime must not inherit a descriptor open for writing, or running this file (a script
        // a test writes and then executes) fails with ETXTBSY.
        let staging = full + ".partial"
        let fd = open(staging, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        precondition(fd >= 0, "cannot create \(staging): \(String(cString: strerror(errno)))")
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            precondition(count > 0 || errno == EINTR, "cannot write \(staging): \(String(cString: strerror(errno)))")
            if count > 0 { written += count }
        }
        close(fd)
        chmod(staging, mode)
        precondition(rename(staging, full) == 0, "cannot rename \(staging): \(String(cString: strerror(errno)))")
        return full
    }

    public func read(_ name: String) -> String? { try? String(contentsOfFile: path + "/" + name, encoding: .utf8) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
