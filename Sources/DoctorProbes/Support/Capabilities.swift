import CCap
import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// Capability sets decoded into names with libcap (`cap_to_name`), so expectations read `cap_sys_admin`, not
/// bit 21.
enum Capabilities {
    /// The names of the capabilities set in a `/proc/<pid>/status` mask (`CapEff: 000001ffffffffff`).
    static func names(mask: UInt64) -> [String] {
        var out: [String] = []
        var bit: UInt64 = 0
        while bit < 64 {
            if mask & (1 << bit) != 0 { out.append(name(of: cap_value_t(bit))) }
            bit += 1
        }
        return out
    }

    /// libcap's name for a capability (`cap_net_raw`); a number for ones newer than the library.
    static func name(of capability: cap_value_t) -> String {
        guard let text = cap_to_name(capability) else { return String(capability) }
        defer { cap_free(text) }
        return String(cString: text)
    }

    /// The capability sets of a file (its `security.capability` attribute). Nil sets when the file has none.
    struct FileSets {
        var effective: [String] = []
        var permitted: [String] = []
        var inheritable: [String] = []
        /// libcap's text form, e.g. `cap_net_bind_service,cap_net_raw=ep`; empty when there are none.
        var text = ""
    }

    /// Reads a file's capabilities. A file without any reads as empty sets; a missing file throws.
    static func file(_ path: String) throws(ProbeError) -> FileSets {
        errno = 0
        guard let caps = cap_get_file(path) else {
            let code = errno
            // ENODATA: the file carries no capability attribute.
            if code == ENODATA || code == 0 { return FileSets() }
            throw ProbeError("cannot read the capabilities of \(path): \(String(cString: strerror(code)))")
        }
        defer { cap_free(UnsafeMutableRawPointer(caps)) }
        var sets = FileSets()
        let top = cap_max_bits()
        var capability: cap_value_t = 0
        while capability < top {
            for (flag, keyPath) in [(CAP_EFFECTIVE, \FileSets.effective), (CAP_PERMITTED, \FileSets.permitted), (CAP_INHERITABLE, \FileSets.inheritable)] {
                var value = CAP_CLEAR
                if cap_get_flag(caps, capability, flag, &value) == 0, value == CAP_SET {
                    sets[keyPath: keyPath].append(name(of: capability))
                }
            }
            capability += 1
        }
        if let text = cap_to_text(caps, nil) {
            sets.text = String(cString: text)
            cap_free(text)
        }
        if sets.effective.isEmpty && sets.permitted.isEmpty && sets.inheritable.isEmpty { sets.text = "" }
        return sets
    }
}
