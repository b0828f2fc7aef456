import CLinux
import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// Why reading a process failed: it is gone (not an error: observed as not running), or the read failed.
enum ProcessProbeFailure: Error {
    case gone
    case failed(ProbeError)
}
