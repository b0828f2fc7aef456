import CLinux
public import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// The kernel's memory and sandbox posture as the doctor's own process sees it: a sysctl, the active LSMs,
/// Landlock, memfd_secret, the memlock limit and a trial mlock, swap.
public struct KernelProbe: BoundedProbe {
    enum Parameter {
        static let sysctl = ParameterKey.string("sysctl", "A `/proc/sys` entry, as a path (`kernel/yama/ptrace_scope`) or dotted (`kernel.yama.ptrace_scope`).")
    }

    enum Observed {
        static let value = ObservationKey("value", .dynamic, "The value of `sysctl`.")
        static let release = ObservationKey("release", .string, "The kernel release (`uname -r`).")
        static let lsm = ObservationKey("lsm", .list(.string), "The active Linux security modules, in order.")
        static let landlockAbi = ObservationKey("landlock_abi", .integer, "The Landlock ABI version (0: unavailable).")
        static let memfdSecret = ObservationKey("memfd_secret", .bool, "Whether memfd_secret works.")
        static let memlockLimit = ObservationKey("memlock_limit", .byteSize, "The doctor's soft RLIMIT_MEMLOCK.")
        static let memlockLimitHard = ObservationKey("memlock_limit_hard", .byteSize, "The doctor's hard RLIMIT_MEMLOCK.")
        static let mlock = ObservationKey("mlock", .bool, "Whether locking one page in memory succeeds.")
        static let swap = ObservationKey("swap", .enumeration(KernelProbe.swapClasses), "The swap posture: none, encrypted, memory, or plaintext.")
        static let swapDevices = ObservationKey("swap_devices", .list(.string), "The active swap areas.")
    }

    public static let spec = ProbeSpec(
        type: "kernel",
        summary: "Kernel posture: a /proc/sys value, active LSMs, Landlock ABI, memfd_secret, mlock and swap.",
        discussion: """
            Everything is asked of the running kernel, and only what the check's expectations name is looked at. \
            `value` is the `/proc/sys` entry named by `sysctl` (`kernel/yama/ptrace_scope` or \
            `kernel.yama.ptrace_scope`), a number when it is one. `lsm` is the list in \
            `/sys/kernel/security/lsm`. `landlock_abi` is the ABI version from \
            `landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)`, 0 when Landlock is not built in \
            or is disabled. `memfd_secret` creates (and closes) one secret-memory descriptor. `memlock_limit` is \
            the doctor's own `RLIMIT_MEMLOCK`, and `mlock` locks and unlocks one page to prove locking works. \
            `swap` classifies the active swap areas of `/proc/swaps`: `none`, `encrypted` (every area on \
            dm-crypt), `memory` (only zram, which never reaches a disk) or `plaintext` (any area on a plain \
            disk or file system).

            These describe the host and the doctor's own limits; a daemon's limits are the `process` and \
            `systemd-unit` probes' business.
            """,
        parameters: [Parameter.sysctl],
        observations: [
            Observed.value, Observed.release, Observed.lsm, Observed.landlockAbi, Observed.memfdSecret,
            Observed.memlockLimit, Observed.memlockLimitHard, Observed.mlock, Observed.swap, Observed.swapDevices,
        ],
        examples: [
            ProbeExample("ptrace is restricted", """
                id: platform-ptrace-scope
                title: Yama restricts ptrace to descendants or admins
                category: crypto-posture
                severity: high
                when: {path_exists: /proc/sys/kernel/yama/ptrace_scope, reason: the kernel has no Yama LSM}
                probe: {type: kernel, sysctl: kernel/yama/ptrace_scope}
                expect: {value: {ge: 1}}
                remediation: echo 'kernel.yama.ptrace_scope = 1' > /etc/sysctl.d/10-ptrace.conf && sysctl --system
                """,
                .skip("the kernel has no Yama LSM (/proc/sys/kernel/yama/ptrace_scope does not exist)", where: "a kernel without Yama, as the build machine's"),
                .pass(where: "a kernel with Yama and ptrace_scope 1 to 3"),
                .fail("value is 0, expected >= 1", where: "a kernel with Yama and ptrace_scope 0")),
            ProbeExample("The kernel can protect secrets in memory", """
                id: mem-kernel-secret-memory
                title: Secret memory and memory locking work here
                category: crypto-posture
                severity: medium
                probe: {type: kernel}
                expect: {memfd_secret: {eq: true, warn_if: {eq: false}}, mlock: true, landlock_abi: {ge: 1}}
                """,
                .pass()),
            ProbeExample("No plaintext swap", """
                id: platform-swap
                title: Swap is off or encrypted
                category: crypto-posture
                severity: high
                probe: {type: kernel}
                expect: {swap: {in: [none, memory, encrypted], warn_if: {eq: encrypted}}}
                """,
                .pass()),
            ProbeExample("Kernel addresses are hidden", """
                id: platform-kptr-restrict
                title: Kernel pointers are hidden from unprivileged users
                category: crypto-posture
                severity: low
                probe: {type: kernel, sysctl: kernel/kptr_restrict}
                expect: {value: {ge: 1}}
                remediation: echo 'kernel.kptr_restrict = 1' > /etc/sysctl.d/10-kptr.conf && sysctl --system
                """,
                .fail("value is 0, expected >= 1", where: "a kernel with kptr_restrict 0, as the build machine's"),
                .pass(where: "a kernel with kptr_restrict 1 or 2")),
        ])

    static let swapClasses = ["none", "encrypted", "memory", "plaintext"]

    let sysctl: String?

    public init(parameters: Parameters) throws(ProbeError) {
        if let name = parameters[Parameter.sysctl] {
            let path = name.contains("/") ? name : name.replacing(".", with: "/")
            guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw ProbeError("'sysctl' must name an entry under /proc/sys, such as kernel/yama/ptrace_scope")
            }
            sysctl = path
        } else {
            sysctl = nil
        }
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        var values = ObservedValues()
        var reasons: [String] = []
        if let sysctl, context.wants(Observed.value) || context.wanted.isEmpty {
            switch KernelFacts.readText("/proc/sys/\(sysctl)") {
            case .success(let text):
                let trimmed = text.trimmingTrailingNewlines
                values[Observed.value] = Int64(trimmed).map(Value.int) ?? .string(trimmed)
            case .failure(let error):
                reasons.append(error.code == ENOENT ? "no /proc/sys/\(sysctl) on this kernel" : "cannot read /proc/sys/\(sysctl): \(String(cString: strerror(error.code)))")
            }
        }
        if context.wants(Observed.release) {
            var names = utsname()
            uname(&names)
            values[Observed.release] = .string(withUnsafeBytes(of: &names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) })
        }
        if context.wants(Observed.lsm) {
            switch KernelFacts.readText("/sys/kernel/security/lsm") {
            case .success(let text): values[Observed.lsm] = .list(text.trimmingTrailingNewlines.split(separator: ",").map { .string(String($0)) })
            case .failure(let error): reasons.append("cannot read the LSM list (/sys/kernel/security/lsm): \(String(cString: strerror(error.code)))")
            }
        }
        if context.wants(Observed.landlockAbi) { values[Observed.landlockAbi] = .int(KernelFacts.landlockABI()) }
        if context.wants(Observed.memfdSecret) {
            switch KernelFacts.memfdSecret() {
            case .success(let works): values[Observed.memfdSecret] = .bool(works)
            case .failure(let error): throw error
            }
        }
        if context.wants(Observed.memlockLimit) || context.wants(Observed.memlockLimitHard) {
            var limit = rlimit()
            if doctor_memlock_limit(&limit) == 0 {
                values[Observed.memlockLimit] = .int(KernelFacts.limit(limit.rlim_cur))
                values[Observed.memlockLimitHard] = .int(KernelFacts.limit(limit.rlim_max))
            }
        }
        if context.wants(Observed.mlock) { values[Observed.mlock] = .bool(KernelFacts.trialMlock()) }
        if context.wants(Observed.swap) || context.wants(Observed.swapDevices) {
            switch KernelFacts.readText("/proc/swaps") {
            case .success(let text):
                let areas = SwapTable.parse(text)
                values[Observed.swap] = .string(SwapTable.classify(areas).rawValue)
                values[Observed.swapDevices] = .list(areas.map { .string($0.name) })
            case .failure(let error): reasons.append("cannot read /proc/swaps: \(String(cString: strerror(error.code)))")
            }
        }
        return ProbeOutput(observations: [Observation(values: values, missingReason: reasons.isEmpty ? nil : reasons.joined(separator: "; "))])
    }
}
