import Foundation

/// A Unix socket that accepts connections (in the kernel's backlog) and never says a word: the peer that
/// hangs, for deadline tests. Closed when the value goes away.
public final class SilentSocket: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let path: String
    private let fd: Int32

    public init(name: String = "silent.sock") {
        directory = TemporaryDirectory(prefix: "doctor-silent")
        path = directory.path + "/" + name
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = self.path
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, byte) in path.utf8.enumerated() { raw[i] = byte } }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        listen(fd, 8)
    }

    deinit { close(fd) }
}
