#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX file helpers (no Foundation on the hot path).
public enum FileBytes {
    public struct Failure: Error, Sendable {
        public var message: String
        public var code: Int32
    }

    /// Reads a whole regular file. Refuses anything that is not a regular file (a FIFO would block).
    public static func read(_ path: String, limit: Int = 64 << 20) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw Failure(message: String(cString: strerror(errno)), code: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(message: String(cString: strerror(errno)), code: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw Failure(message: "not a regular file", code: EINVAL) }
        guard Int(info.st_size) <= limit else { throw Failure(message: "larger than \(limit) bytes", code: EFBIG) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var total = 0
        while total < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, $0.count - total) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(message: String(cString: strerror(errno)), code: errno)
            }
            if n == 0 { break }
            total += n
        }
        if total < bytes.count { bytes.removeLast(bytes.count - total) }
        return bytes
    }

    public static func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }
}
