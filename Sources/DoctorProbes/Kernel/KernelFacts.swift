import CLinux
import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// Direct questions to the kernel, shared with the tests' expectations of what the probe must see.
enum KernelFacts {
    static func readText(_ path: String) -> Result<String, FileSystem.Errno> {
        readBytes(path, limit: 1 << 20).map { String(decoding: $0, as: UTF8.self) }
    }

    /// At most `limit` bytes of a file.
    static func readBytes(_ path: String, limit: Int) -> Result<[UInt8], FileSystem.Errno> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return .failure(FileSystem.Errno(code: errno)) }
        defer { close(fd) }
        return FileSystem.readToEnd(fd, limit: limit)
    }

    static func landlockABI() -> Int64 {
        let version = doctor_landlock_abi_version()
        return version > 0 ? Int64(version) : 0
    }

    /// Whether a memfd_secret descriptor can be created: false when the kernel lacks it (ENOSYS) or it is
    /// disabled; other failures (out of descriptors) are errors.
    static func memfdSecret() -> Result<Bool, ProbeError> {
        let fd = doctor_memfd_secret(UInt32(O_CLOEXEC))
        if fd >= 0 {
            close(fd)
            return .success(true)
        }
        let code = errno
        if code == ENOSYS || code == EPERM || code == EINVAL { return .success(false) }
        return .failure(ProbeError("memfd_secret failed: \(String(cString: strerror(code)))"))
    }

    static func limit(_ value: rlim_t) -> Int64 {
        value > rlim_t(Int64.max) ? ByteSize.infinity : Int64(value)
    }

    /// Locks and unlocks one fresh anonymous page.
    static func trialMlock() -> Bool {
        let size = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard let page = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), page != MAP_FAILED else { return false }
        defer { munmap(page, size) }
        guard mlock(page, size) == 0 else { return false }
        munlock(page, size)
        return true
    }
}
