#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file atomically: a temporary file in the same directory, fsync, then rename over the target, so a
/// reader (node_exporter, a CI step) never sees half a report. A target that is not a regular file (`/dev/null`,
/// `/dev/stdout`, a FIFO) is written in place instead: renaming over it would replace the device or the pipe
/// with a regular file. A symlink to a regular file is followed, and the file it names replaced.
public enum AtomicFile {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// A file written in pieces and put in place at `commit()`; dropped without a trace if never committed.
    public final class Writer {
        public let path: String
        private let temporary: String
        private var fd: Int32
        private let mode: mode_t
        private var committed = false
        /// Writing straight into a device or pipe (no temporary file, no rename).
        private let inPlace: Bool

        public init(path requested: String, mode: mode_t = 0o644) throws(Failure) {
            var path = requested
            var st = stat()
            if lstat(requested, &st) == 0 {
                let kind = st.st_mode & S_IFMT
                if kind == S_IFLNK, stat(requested, &st) == 0, st.st_mode & S_IFMT == S_IFREG, let target = Writer.resolved(requested) {
                    path = target
                } else if kind != S_IFREG {
                    if stat(requested, &st) == 0, st.st_mode & S_IFMT == S_IFDIR {
                        throw Failure(path: requested, reason: "is a directory")
                    }
                    let fd = open(requested, O_WRONLY | O_CLOEXEC | O_NOCTTY)
                    guard fd >= 0 else { throw Failure(path: requested, reason: FileBytes.errnoText(errno)) }
                    self.path = requested
                    self.mode = mode
                    self.fd = fd
                    self.temporary = ""
                    self.inPlace = true
                    return
                }
            }
            self.inPlace = false
            self.path = path
            self.mode = mode
            let slash = path.lastIndex(of: "/")
            let directory = slash.map { String(path[..<$0]) } ?? "."
            let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
            var template = Array("\(directory.isEmpty ? "/" : directory)/.\(name).XXXXXX".utf8CString)
            fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw Failure(path: path, reason: FileBytes.errnoText(errno)) }
            temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        public func write(_ text: String) throws(Failure) {
            var text = text
            let failure = text.withUTF8 { write(raw: $0) }
            if let failure { throw Failure(path: path, reason: FileBytes.errnoText(failure)) }
        }

        public func write(_ bytes: [UInt8]) throws(Failure) {
            let failure = bytes.withUnsafeBufferPointer { write(raw: $0) }
            if let failure { throw Failure(path: path, reason: FileBytes.errnoText(failure)) }
        }

        /// Writes everything; the errno on failure.
        private func write(raw bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
            var written = 0
            while written < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + written, bytes.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += n
            }
            return nil
        }

        /// The file a symlink finally names.
        static func resolved(_ path: String) -> String? {
            guard let real = realpath(path, nil) else { return nil }
            defer { free(real) }
            return String(cString: real)
        }

        /// fsync, then rename over the target (in place: close).
        public func commit() throws(Failure) {
            if inPlace {
                let closed = close(fd) == 0
                fd = -1
                committed = true
                if !closed { throw Failure(path: path, reason: FileBytes.errnoText(errno)) }
                return
            }
            fchmod(fd, mode)
            let synced = fsync(fd) == 0
            let closed = close(fd) == 0
            fd = -1
            guard synced, closed, rename(temporary, path) == 0 else {
                let reason = FileBytes.errnoText(errno)
                unlink(temporary)
                throw Failure(path: path, reason: reason)
            }
            committed = true
        }

        deinit {
            if !committed {
                if fd >= 0 { close(fd) }
                if !inPlace { unlink(temporary) }
            }
        }
    }
}
