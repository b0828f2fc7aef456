#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file atomically: a temporary file in the same directory, fsync, then rename over the target, so a
/// reader (node_exporter, a CI step) never sees half a report.
public enum AtomicFile {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    public static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws(Failure) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var template = Array("\(directory.isEmpty ? "/" : directory)/.\(name).XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw Failure(path: path, reason: FileBytes.errnoText(errno)) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        var bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = FileBytes.errnoText(errno)
                close(fd)
                throw Failure(path: path, reason: reason)
            }
            written += n
        }
        bytes.removeAll()
        fchmod(fd, mode)
        guard fsync(fd) == 0, close(fd) == 0 else { throw Failure(path: path, reason: FileBytes.errnoText(errno)) }
        guard rename(temporary, path) == 0 else { throw Failure(path: path, reason: FileBytes.errnoText(errno)) }
        ok = true
    }
}
