import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// One process seen through `/proc/<pid>`. The directory is opened once and every file is read relative to
/// it, so all facts come from the same process even if the pid is reused; a process that exits meanwhile makes
/// the reads fail with `ESRCH`, reported as `Gone`.
final class ProcessDirectory {
    let pid: Int32
    private let fd: Int32

    /// Nil when there is no such process.
    init?(pid: Int32, root: String = "/proc") {
        self.pid = pid
        fd = open("\(root)/\(pid)", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { return nil }
    }

    deinit { close(fd) }

    /// Whether `/proc/<pid>` exists now.
    static func exists(_ pid: Int32) -> Bool { access("/proc/\(pid)", F_OK) == 0 }

    /// The text of a file in the directory; fails with "process N exited" once the process has exited.
    func read(_ name: String) throws(ProbeError) -> String {
        let file = openat(fd, name, O_RDONLY | O_CLOEXEC)
        if file < 0 { throw ProcFS.failure(name, pid: pid, errno) }
        defer { close(file) }
        switch FileSystem.readToEnd(file, limit: 1 << 20) {
        case .success(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .failure(let error): throw ProcFS.failure(name, pid: pid, error.code)
        }
    }

    /// The owner of the process's files. The kernel gives the files under `/proc/<pid>` to root when the process
    /// is not dumpable (the directory itself keeps the owner it was first looked up with, so `status` is asked).
    func owner() throws(ProbeError) -> (uid: UInt32, gid: UInt32) {
        var info = stat()
        guard fstatat(fd, "status", &info, 0) == 0 else { throw ProcFS.failure("status", pid: pid, errno) }
        return (info.st_uid, info.st_gid)
    }
}
