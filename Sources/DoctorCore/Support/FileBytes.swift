#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading files, the one POSIX file layer of the catalog loader, the cache, governance and the probes (no
/// Foundation on the hot path). Only regular files are read: a FIFO or a device is never opened for reading
/// (`O_NONBLOCK`, then `fstat`), and a symlink is followed only when asked.
public enum FileBytes {
    public struct Failure: Error, Sendable {
        public enum Reason: Sendable, Equatable {
            case cannotOpen, symlink, cannotExamine, cannotRead
            /// Not a regular file: its type (`dir`, `fifo`, …).
            case notRegular(String)
            /// Larger than the limit: its size.
            case tooLarge(Int64)
        }

        public var reason: Reason
        public var code: Int32
        public var limit: Int

        /// What went wrong, without the path: `strerror`, "not a regular file", "larger than N bytes".
        public var message: String {
            switch reason {
            case .notRegular: "not a regular file"
            case .tooLarge: "larger than \(limit) bytes"
            case .symlink: "a symlink; not followed"
            case .cannotOpen, .cannotExamine, .cannotRead: FileBytes.errnoText(code)
            }
        }

        /// A sentence naming `path`, as probes report it.
        public func described(_ path: String) -> String {
            switch reason {
            case .cannotOpen: "cannot open \(path): \(FileBytes.errnoText(code))"
            case .symlink: "\(path) is a symlink; not followed"
            case .cannotExamine: "cannot examine \(path): \(FileBytes.errnoText(code))"
            case .cannotRead: "cannot read \(path): \(FileBytes.errnoText(code))"
            case .notRegular(let type): "\(path) is a \(type), not a regular file"
            case .tooLarge(let size): "\(path) is \(size) bytes, more than the \(limit) expected"
            }
        }
    }

    /// Reads a whole regular file of at most `limit` bytes: its `st_size` bytes in place, or, when it reports a
    /// size of 0 (`/proc` and `/sys` files), to its end.
    public static func read(_ path: String, limit: Int = 64 << 20, follow: Bool = true) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW))
        guard fd >= 0 else {
            let code = errno
            throw Failure(reason: code == ELOOP && !follow ? .symlink : .cannotOpen, code: code, limit: limit)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(reason: .cannotExamine, code: errno, limit: limit) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw Failure(reason: .notRegular(typeName(info.st_mode)), code: EINVAL, limit: limit) }
        guard Int(info.st_size) <= limit else { throw Failure(reason: .tooLarge(Int64(info.st_size)), code: EFBIG, limit: limit) }
        let size = Int(info.st_size)
        guard size > 0 else { return try readToEnd(fd, limit: limit).get() }
        var bytes = [UInt8](repeating: 0, count: size)
        var total = 0
        while total < size {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, size - total) }
            if count < 0 {
                if errno == EINTR { continue }
                let code = errno
                bytes.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
                throw Failure(reason: .cannotRead, code: code, limit: limit)
            }
            if count == 0 { break }
            total += count
        }
        if total < size { bytes.removeLast(size - total) }
        return bytes
    }

    /// Reads an open descriptor to its end, keeping at most `limit` bytes. The chunk buffer is wiped afterwards
    /// (key files pass here).
    public static func readToEnd(_ fd: Int32, limit: Int) -> Result<[UInt8], Failure> {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        defer { chunk.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        while bytes.count < limit {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(Failure(reason: .cannotRead, code: errno, limit: limit))
            }
            if count == 0 { break }
            bytes += chunk[0..<min(count, limit - bytes.count)]
        }
        return .success(bytes)
    }

    /// The file type names of `file` and the probes: file, dir, symlink, socket, fifo, char-device, block-device.
    public static func typeName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "file"
        case S_IFDIR: "dir"
        case S_IFLNK: "symlink"
        case S_IFSOCK: "socket"
        case S_IFIFO: "fifo"
        case S_IFCHR: "char-device"
        case S_IFBLK: "block-device"
        default: "unknown"
        }
    }

    public static func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }
}
