import CLinux
public import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// A running process's security and memory posture, from `/proc/<pid>`: seccomp, no_new_privs, capabilities,
/// memory, resource limits, owner, dumpability.
public struct ProcessProbe: Probe {
    enum Parameter {
        static let pid = ParameterKey.integer("pid", "The process id.")
        static let pidFrom = ParameterKey.map("pid_from", of: .string, "Where to take the pid from: `{unit: NAME}` for a unit's MainPID, with optional `manager: user|system` and `address`.")
    }

    enum Observed {
        static let running = ObservationKey("running", .bool, "The process exists.")
        static let pid = ObservationKey("pid", .integer, "The process id observed.")
        static let name = ObservationKey("name", .string, "The command name (`Name` in status).")
        static let owner = ObservationKey("owner", .principal, "The effective user.")
        static let group = ObservationKey("group", .principal, "The effective group.")
        static let dumpable = ObservationKey("dumpable", .bool, "Whether the process may dump core and be ptraced by its user.")
        static let seccomp = ObservationKey("Seccomp", .integer, "0 no seccomp, 1 strict, 2 filter.")
        static let seccompFilters = ObservationKey("Seccomp_filters", .integer, "The number of seccomp filters attached.")
        static let noNewPrivs = ObservationKey("NoNewPrivs", .bool, "Whether no_new_privs is set.")
        static let capEff = ObservationKey("CapEff", .list(.string), "Effective capabilities, by name.")
        static let capPrm = ObservationKey("CapPrm", .list(.string), "Permitted capabilities, by name.")
        static let capInh = ObservationKey("CapInh", .list(.string), "Inheritable capabilities, by name.")
        static let capBnd = ObservationKey("CapBnd", .list(.string), "The capability bounding set, by name.")
        static let capAmb = ObservationKey("CapAmb", .list(.string), "Ambient capabilities, by name.")
        static let vmRSS = ObservationKey("VmRSS", .byteSize, "Resident memory.")
        static let vmSwap = ObservationKey("VmSwap", .byteSize, "Memory swapped out.")
        static let vmLck = ObservationKey("VmLck", .byteSize, "Locked memory (mlock).")
        static let limitMEMLOCK = ObservationKey("LimitMEMLOCK", .byteSize, "Max locked memory, soft limit.")
        static let limitMEMLOCKHard = ObservationKey("LimitMEMLOCKHard", .byteSize, "Max locked memory, hard limit.")
        static let limitCORE = ObservationKey("LimitCORE", .byteSize, "Max core file size, soft limit.")
        static let limitCOREHard = ObservationKey("LimitCOREHard", .byteSize, "Max core file size, hard limit.")
        static let limitNOFILE = ObservationKey("LimitNOFILE", .integer, "Max open files, soft limit.")
        static let limitNOFILEHard = ObservationKey("LimitNOFILEHard", .integer, "Max open files, hard limit.")
    }

    public static let spec = ProbeSpec(
        type: "process",
        summary: "A process (by PID or a unit's MainPID) runs with the expected seccomp, capabilities, limits and memory.",
        discussion: """
            Reads `/proc/<pid>/status` and `/proc/<pid>/limits` through one open handle on `/proc/<pid>`, so every \
            value comes from the same process. The process is given by `pid`, or by \
            `pid_from: {unit: open-sesame-secrets.service}`: the MainPID of that unit, read from the user manager \
            over D-Bus (add `manager: system` or `address` to read another). A unit with no main process, or a \
            process that exits while it is read, is observed as `running: false` with the reason.

            Capability sets are decoded with libcap into names (`cap_net_raw`), so `CapEff: {empty: true}` asks \
            for none and `CapBnd: {not_contains: cap_sys_admin}` for one in particular. Sizes are bytes \
            (`VmLck: {gt: 0}`), limits are soft and hard columns of `/proc/<pid>/limits` (`unlimited` reads as \
            `infinity`).

            `dumpable` is read from the owner of `/proc/<pid>`, which the kernel gives to root when a process is \
            not dumpable (`PR_SET_DUMPABLE 0`, as a daemon that holds secrets should be). For a process running \
            as root the two cannot be told apart, so `dumpable` is not observed there (the doctor's own process \
            is asked with `prctl`).
            """,
        parameters: [Parameter.pid, Parameter.pidFrom],
        exactlyOneOf: [[Parameter.pid, Parameter.pidFrom]],
        observations: [
            Observed.running, Observed.pid, Observed.name, Observed.owner, Observed.group, Observed.dumpable,
            Observed.seccomp, Observed.seccompFilters, Observed.noNewPrivs, Observed.capEff, Observed.capPrm,
            Observed.capInh, Observed.capBnd, Observed.capAmb, Observed.vmRSS, Observed.vmSwap, Observed.vmLck,
            Observed.limitMEMLOCK, Observed.limitMEMLOCKHard, Observed.limitCORE, Observed.limitCOREHard,
            Observed.limitNOFILE, Observed.limitNOFILEHard,
        ],
        defaultExpect: "{running: true}",
        examples: [
            ProbeExample("The secrets daemon is sandboxed", """
                id: sandbox-secrets-seccomp
                title: The secrets daemon runs under a seccomp filter with no_new_privs
                category: crypto-posture
                severity: high
                probe: {type: process, pid_from: {unit: open-sesame-secrets.service}}
                expect: {running: true, Seccomp: 2, NoNewPrivs: true, CapEff: {empty: true}}
                """,
                .pass()),
            ProbeExample("Secrets stay out of swap and core dumps", """
                id: mem-secrets-no-core
                title: The secrets daemon has nothing in swap and cannot dump core
                category: crypto-posture
                severity: high
                probe: {type: process, pid_from: {unit: open-sesame-secrets.service}}
                expect: {VmSwap: 0, LimitCORE: 0, dumpable: false}
                """,
                .pass(),
                .fail(on: .broken, containing: "dumpable is true, expected == false")),
        ])

    enum Source {
        case pid(Int32)
        case unit(String, SystemdManager.Scope, address: String?)
    }

    let source: Source

    public init(parameters: Parameters) throws(ProbeError) {
        if let pid = parameters[Parameter.pid] {
            guard pid > 0, let pid32 = Int32(exactly: pid) else { throw ProbeError("'pid' must be a positive process id, found \(pid)") }
            source = .pid(pid32)
            return
        }
        var fields: [String: String] = [:]
        for (key, entry) in parameters[Parameter.pidFrom] ?? [] {
            guard let value = entry.asString else { continue }
            guard ["unit", "manager", "address"].contains(key) else {
                let hint = Suggest.closest(to: key, in: ["unit", "manager", "address"]).map { " (did you mean '\($0)'?)" } ?? ""
                throw ProbeError("unknown key '\(key)' in pid_from\(hint); expected unit, manager, address")
            }
            fields[key] = value
        }
        guard let unit = fields["unit"], !unit.isEmpty else { throw ProbeError("pid_from needs 'unit' (e.g. {unit: open-sesame-secrets.service})") }
        let scope: SystemdManager.Scope
        switch fields["manager"] ?? "user" {
        case "user": scope = .user
        case "system": scope = .system
        case let other: throw ProbeError("pid_from.manager must be 'user' or 'system', found '\(other)'")
        }
        source = .unit(unit, scope, address: fields["address"])
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        let pid: Int32
        let subject: String
        switch source {
        case .pid(let given):
            pid = given
            subject = "process \(given)"
        case .unit(let unit, let scope, let address):
            let manager = try SystemdManager(scope: scope, address: address, variables: context.variables)
            let (found, reason) = try manager.mainPID(of: unit, deadline: context.deadline)
            guard let found else {
                return ProbeOutput(observations: [Observation(subject: unit, values: [Observed.running: .bool(false)], missingReason: reason)])
            }
            pid = found
            subject = "\(unit) (pid \(found))"
        }
        if Task.isCancelled { throw ProbeError("cancelled") }
        do {
            let (values, reason) = try ProcessProbe.read(pid, context: context)
            return ProbeOutput(observations: [Observation(subject: subject, values: values, missingReason: reason, reasonCovers: [Observed.dumpable])])
        } catch {
            switch error {
            case .gone:
                let reason = ProcessDirectory.exists(pid) ? ProcFS.exited(pid) : "no process \(pid)"
                return ProbeOutput(observations: [Observation(subject: subject, values: [Observed.running: .bool(false)], missingReason: reason)])
            case .failed(let failure): throw failure
            }
        }
    }

    /// Everything the probe observes of one live process; `Gone` when it does not exist or exits meanwhile.
    static func read(_ pid: Int32, context: ProbeContext) throws(ProcessProbeFailure) -> (ObservedValues, String?) {
        guard let directory = ProcessDirectory(pid: pid) else { throw .gone }
        let statusText: String
        do {
            statusText = try directory.read("status")
        } catch {
            throw error.message == ProcFS.exited(pid) ? .gone : .failed(error)
        }
        let status = ProcFS.status(statusText)
        // A zombie has exited; only its exit status is left for the parent to collect.
        if let state = status["State"]?.first, state == "Z" || state == "X" { throw .gone }
        var values: ObservedValues = [Observed.running: .bool(true), Observed.pid: .int(Int64(pid))]
        var reason: String?
        if let name = status["Name"] { values[Observed.name] = .string(String(name)) }
        let uid = status["Uid"].flatMap { $0.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first }.flatMap { UInt32($0) }
        let gid = status["Gid"].flatMap { $0.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first }.flatMap { UInt32($0) }
        if let uid { values[Observed.owner] = .principal(id: Int64(uid), name: FileSystem.userName(uid)) }
        if let gid { values[Observed.group] = .principal(id: Int64(gid), name: FileSystem.groupName(gid)) }
        // These observations are named after their fields of `status`.
        for key in [Observed.seccomp, Observed.seccompFilters] {
            if let number = status[Substring(key.name)].flatMap({ Int64($0) }) { values[key] = .int(number) }
        }
        if let flag = status["NoNewPrivs"] { values[Observed.noNewPrivs] = .bool(flag == "1") }
        for key in [Observed.capEff, Observed.capPrm, Observed.capInh, Observed.capBnd, Observed.capAmb] {
            if let mask = status[Substring(key.name)].flatMap({ UInt64($0, radix: 16) }) {
                values[key] = .list(Capabilities.names(mask: mask).map { .string($0) })
            }
        }
        for key in [Observed.vmRSS, Observed.vmSwap, Observed.vmLck] {
            // Kernel threads have no Vm* lines; a process has them all.
            if let bytes = ProcFS.kilobytes(status[Substring(key.name)]) { values[key] = .int(bytes) }
        }
        if context.wants(Observed.dumpable) {
            if pid == getpid() {
                values[Observed.dumpable] = .bool(doctor_get_dumpable() == 1)
            } else if let uid, uid != 0 {
                do {
                    values[Observed.dumpable] = .bool(try directory.owner().uid == uid)
                } catch {
                    throw .gone
                }
            } else {
                reason = "whether a process running as root is dumpable cannot be read from outside it"
            }
        }
        let limitRows = [
            ("Max locked memory", Observed.limitMEMLOCK, Observed.limitMEMLOCKHard), ("Max core file size", Observed.limitCORE, Observed.limitCOREHard),
            ("Max open files", Observed.limitNOFILE, Observed.limitNOFILEHard),
        ]
        let wantsLimits = limitRows.contains { context.wants($0.1) || context.wants($0.2) }
        if wantsLimits {
            let limitsText: String
            do {
                limitsText = try directory.read("limits")
            } catch {
                throw error.message == ProcFS.exited(pid) ? .gone : .failed(error)
            }
            let limits = ProcFS.limits(limitsText)
            for (row, soft, hard) in limitRows {
                guard let limit = limits[row] else { continue }
                values[soft] = .int(limit.soft)
                values[hard] = .int(limit.hard)
            }
        }
        // A process that exited between the reads leaves a zombie or nothing: re-check that it is still there.
        if (try? directory.read("stat")) == nil { throw .gone }
        return (values, reason)
    }
}
