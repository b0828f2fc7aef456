import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The Unix socket `doctor serve` listens on: a 0700 directory of the user, a 0600 socket, and a stale socket
/// file (nothing listening) replaced; a live one or any other kind of file is left alone and refused.
public enum UnixSocketPath {
    /// `$XDG_RUNTIME_DIR/pds/doctor.sock`.
    public static func standard(environment: [String: String]) -> String? {
        guard let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty else { return nil }
        return runtime + "/pds/doctor.sock"
    }

    /// Makes the directory (0700; an existing one must be ours, and is tightened to 0700 if looser) and clears
    /// the way for `bind`. Returns warnings for the log.
    public static func prepare(_ path: String) throws(ListenError) -> [String] {
        var warnings: [String] = []
        guard path.utf8.count < 108 else { throw ListenError("socket path \(path) is longer than the 107 bytes a Unix socket address holds") }
        let directory = (path as NSString).deletingLastPathComponent
        var info = stat()
        if lstat(directory, &info) != 0 {
            guard errno == ENOENT else { throw ListenError("cannot inspect \(directory): \(String(cString: strerror(errno)))") }
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw ListenError("cannot create \(directory): \((error as NSError).localizedDescription)")
            }
            guard lstat(directory, &info) == 0 else { throw ListenError("cannot inspect \(directory): \(String(cString: strerror(errno)))") }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw ListenError("\(directory) is not a directory") }
        guard info.st_uid == geteuid() else {
            throw ListenError("\(directory) belongs to uid \(info.st_uid), not to this user (\(geteuid())); choose another --socket")
        }
        if info.st_mode & 0o077 != 0 {
            guard chmod(directory, 0o700) == 0 else { throw ListenError("cannot restrict \(directory) to 0700: \(String(cString: strerror(errno)))") }
            warnings.append("\(directory) was mode \(String(info.st_mode & 0o777, radix: 8)); restricted it to 0700")
        }
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return warnings }
            throw ListenError("cannot inspect \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw ListenError("\(path) exists and is not a socket; remove it or choose another --socket")
        }
        switch probe(path) {
        case .listening: throw ListenError("\(path): another server is listening there (is doctor serve already running?)")
        case .stale:
            guard unlink(path) == 0 || errno == ENOENT else { throw ListenError("cannot remove the stale socket \(path): \(String(cString: strerror(errno)))") }
            warnings.append("replaced the stale socket \(path)")
        case .other(let text): throw ListenError("\(path): \(text)")
        }
        return warnings
    }

    enum Liveness { case listening, stale, other(String) }

    /// Whether something accepts connections on the socket file.
    static func probe(_ path: String) -> Liveness {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .other("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (index, byte) in path.utf8.enumerated() { raw[index] = byte } }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc == 0 || errno == EAGAIN { return .listening }
        if errno == ECONNREFUSED { return .stale }
        return .other("connect: \(String(cString: strerror(errno)))")
    }

    /// Creates the socket file 0600 from the start (no window with a wider mode), by narrowing the umask
    /// around `bind`.
    public static func withPrivateUmask<T>(_ body: () async throws -> T) async rethrows -> T {
        let previous = umask(0o177)
        defer { umask(previous) }
        return try await body()
    }

    /// Removes the socket file if it is still the one this process made (same inode).
    public static func remove(_ path: String, inode: UInt64?) {
        var info = stat()
        guard let inode, lstat(path, &info) == 0, UInt64(info.st_ino) == inode else { return }
        unlink(path)
    }

    public static func inode(_ path: String) -> UInt64? {
        var info = stat()
        return lstat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }
}
