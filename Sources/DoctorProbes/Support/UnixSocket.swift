import CLinux
import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// A connected Unix stream socket whose every wait is bounded by a deadline (non-blocking I/O and `poll`), and
/// that stops waiting when the task is cancelled. Closed when released.
final class UnixSocket {
    enum Failure: Error, Equatable {
        /// Nothing listens on the socket file (`ECONNREFUSED`): a stale socket.
        case refused
        /// No such file.
        case missing
        /// The deadline passed while waiting.
        case timedOut(String)
        /// The peer closed the connection.
        case closed(String)
        case other(String)

        var message: String {
            switch self {
            case .refused: "nothing is listening (stale socket)"
            case .missing: "no such socket"
            case .timedOut(let what): "\(what) did not happen before the deadline"
            case .closed(let what): "the peer closed the connection \(what)"
            case .other(let text): text
            }
        }
    }

    /// The credentials of the peer process (`SO_PEERCRED`).
    struct Credentials: Equatable {
        var pid: Int32
        var uid: UInt32
        var gid: UInt32
    }

    let fd: Int32
    let deadline: ContinuousClock.Instant

    /// Connects to `path` without waiting past `deadline`.
    init(path: String, deadline: ContinuousClock.Instant) throws(Failure) {
        self.deadline = deadline
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw .other("socket path too long (\(bytes.count) bytes)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (index, byte) in bytes.enumerated() { raw[index] = byte } }
        // The descriptor is stored only once connected: a throwing initializer of a class still runs `deinit`,
        // so closing here and there would close a number another thread may already have been given.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .other("socket: \(String(cString: strerror(errno)))") }
        do {
            try UnixSocket.connect(fd, to: &address, deadline: deadline)
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
    }

    private static func connect(_ fd: Int32, to address: inout sockaddr_un, deadline: ContinuousClock.Instant) throws(Failure) {
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc != 0 else { return }
        let code = errno
        switch code {
        case EAGAIN, EINPROGRESS:
            // The listener's backlog is full: wait for it, within the deadline.
            try wait(fd, for: Int16(POLLOUT), deadline: deadline, what: "connecting")
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            if soError != 0 { throw soError == ECONNREFUSED ? .refused : .other("connect: \(String(cString: strerror(soError)))") }
        case ECONNREFUSED: throw .refused
        case ENOENT: throw .missing
        default: throw .other("connect: \(String(cString: strerror(code)))")
        }
    }

    deinit { close(fd) }

    func peerCredentials() throws(Failure) -> Credentials {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        guard doctor_peer_credentials(fd, &pid, &uid, &gid) == 0 else {
            throw .other("SO_PEERCRED: \(String(cString: strerror(errno)))")
        }
        return Credentials(pid: pid, uid: uid, gid: gid)
    }

    /// Waits until the socket is ready for `events`, in slices of at most 50 ms so that cancellation is seen.
    private func wait(for events: Int16, what: String) throws(Failure) {
        try UnixSocket.wait(fd, for: events, deadline: deadline, what: what)
    }

    private static func wait(_ fd: Int32, for events: Int16, deadline: ContinuousClock.Instant, what: String) throws(Failure) {
        while true {
            if Task.isCancelled { throw .timedOut(what) }
            let left = deadline - .now
            if left <= .zero { throw .timedOut(what) }
            let milliseconds = Int32(min(50, max(1, left.milliseconds)))
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&descriptor, 1, milliseconds)
            if rc > 0 { return }
            if rc < 0 && errno != EINTR { throw .other("poll: \(String(cString: strerror(errno)))") }
        }
    }

    func write(_ bytes: [UInt8], what: String) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                offset += count
                continue
            }
            if count < 0 && (errno == EAGAIN || errno == EINTR) {
                try wait(for: Int16(POLLOUT), what: what)
                continue
            }
            if count < 0 && (errno == EPIPE || errno == ECONNRESET) { throw .closed("while \(what)") }
            throw .other("send: \(String(cString: strerror(errno)))")
        }
    }

    /// Reads exactly `count` bytes (the caller bounds `count` before asking).
    func read(exactly count: Int, what: String) throws(Failure) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = out.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + offset, count - offset, 0) }
            if got > 0 {
                offset += got
                continue
            }
            if got == 0 { throw .closed(offset == 0 ? "before \(what)" : "in the middle of \(what) (\(offset) of \(count) bytes)") }
            if errno == EAGAIN || errno == EINTR {
                try wait(for: Int16(POLLIN), what: what)
                continue
            }
            if errno == ECONNRESET { throw .closed("before \(what)") }
            throw .other("recv: \(String(cString: strerror(errno)))")
        }
        return out
    }

    /// A 4-byte big-endian length prefix, refused above `limit` before anything is allocated.
    func readLength(limit: Int, what: String) throws(Failure) -> Int {
        let prefix = try read(exactly: 4, what: what)
        let length = Int(prefix[0]) << 24 | Int(prefix[1]) << 16 | Int(prefix[2]) << 8 | Int(prefix[3])
        guard length <= limit else { throw .other("\(what) announces \(length) bytes, more than the \(limit) allowed") }
        return length
    }

    /// One length-prefixed frame.
    func readFrame(limit: Int, what: String) throws(Failure) -> [UInt8] {
        try read(exactly: try readLength(limit: limit, what: what), what: what)
    }

    static func lengthPrefix(_ count: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: count >> 24), UInt8(truncatingIfNeeded: count >> 16), UInt8(truncatingIfNeeded: count >> 8), UInt8(truncatingIfNeeded: count)]
    }
}
