import CLinux
public import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// A running process's security and memory posture, from `/proc/<pid>`: seccomp, no_new_privs, capabilities,
/// memory, resource limits, owner, dumpability.
public struct ProcessProbe: Probe {
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
        parameters: [
            ParameterSpec("pid", .integer, "The process id."),
            ParameterSpec("pid_from", .map(.string), "Where to take the pid from: `{unit: NAME}` for a unit's MainPID, with optional `manager: user|system` and `address`."),
        ],
        exactlyOneOf: [["pid", "pid_from"]],
        observations: [
            ObservationSpec("running", .bool, "The process exists."),
            ObservationSpec("pid", .integer, "The process id observed."),
            ObservationSpec("name", .string, "The command name (`Name` in status)."),
            ObservationSpec("owner", .principal, "The effective user."),
            ObservationSpec("group", .principal, "The effective group."),
            ObservationSpec("dumpable", .bool, "Whether the process may dump core and be ptraced by its user."),
            ObservationSpec("Seccomp", .integer, "0 no seccomp, 1 strict, 2 filter."),
            ObservationSpec("Seccomp_filters", .integer, "The number of seccomp filters attached."),
            ObservationSpec("NoNewPrivs", .bool, "Whether no_new_privs is set."),
            ObservationSpec("CapEff", .list(.string), "Effective capabilities, by name."),
            ObservationSpec("CapPrm", .list(.string), "Permitted capabilities, by name."),
            ObservationSpec("CapInh", .list(.string), "Inheritable capabilities, by name."),
            ObservationSpec("CapBnd", .list(.string), "The capability bounding set, by name."),
            ObservationSpec("CapAmb", .list(.string), "Ambient capabilities, by name."),
            ObservationSpec("VmRSS", .byteSize, "Resident memory."),
            ObservationSpec("VmSwap", .byteSize, "Memory swapped out."),
            ObservationSpec("VmLck", .byteSize, "Locked memory (mlock)."),
            ObservationSpec("LimitMEMLOCK", .byteSize, "Max locked memory, soft limit."),
            ObservationSpec("LimitMEMLOCKHard", .byteSize, "Max locked memory, hard limit."),
            ObservationSpec("LimitCORE", .byteSize, "Max core file size, soft limit."),
            ObservationSpec("LimitCOREHard", .byteSize, "Max core file size, hard limit."),
            ObservationSpec("LimitNOFILE", .integer, "Max open files, soft limit."),
            ObservationSpec("LimitNOFILEHard", .integer, "Max open files, hard limit."),
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
        if let pid = parameters.int("pid") {
            guard pid > 0, let pid32 = Int32(exactly: pid) else { throw ProbeError("'pid' must be a positive process id, found \(pid)") }
            source = .pid(pid32)
            return
        }
        var fields: [String: String] = [:]
        for pair in parameters["pid_from"]?.asList ?? [] {
            guard let items = pair.asList, items.count == 2, let key = items[0].asString, let value = items[1].asString else { continue }
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
                return ProbeOutput(observations: [Observation(subject: unit, values: ["running": .bool(false)], missingReason: reason)])
            }
            pid = found
            subject = "\(unit) (pid \(found))"
        }
        if Task.isCancelled { throw ProbeError("cancelled") }
        do {
            let (values, reason) = try ProcessProbe.read(pid, context: context)
            return ProbeOutput(observations: [Observation(subject: subject, values: values, missingReason: reason, reasonCovers: ["dumpable"])])
        } catch {
            switch error {
            case .gone:
                let reason = ProcessDirectory.exists(pid) ? ProcFS.exited(pid) : "no process \(pid)"
                return ProbeOutput(observations: [Observation(subject: subject, values: ["running": .bool(false)], missingReason: reason)])
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
        var values: ObservedValues = ["running": .bool(true), "pid": .int(Int64(pid))]
        var reason: String?
        if let name = status["Name"] { values["name"] = .string(String(name)) }
        let uid = status["Uid"].flatMap { $0.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first }.flatMap { UInt32($0) }
        let gid = status["Gid"].flatMap { $0.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first }.flatMap { UInt32($0) }
        if let uid { values["owner"] = .principal(id: Int64(uid), name: FileSystem.userName(uid)) }
        if let gid { values["group"] = .principal(id: Int64(gid), name: FileSystem.groupName(gid)) }
        for key in ["Seccomp", "Seccomp_filters"] {
            if let number = status[Substring(key)].flatMap({ Int64($0) }) { values[key] = .int(number) }
        }
        if let flag = status["NoNewPrivs"] { values["NoNewPrivs"] = .bool(flag == "1") }
        for key in ["CapEff", "CapPrm", "CapInh", "CapBnd", "CapAmb"] {
            if let mask = status[Substring(key)].flatMap({ UInt64($0, radix: 16) }) {
                values[key] = .list(Capabilities.names(mask: mask).map { .string($0) })
            }
        }
        for key in ["VmRSS", "VmSwap", "VmLck"] {
            // Kernel threads have no Vm* lines; a process has them all.
            if let bytes = ProcFS.kilobytes(status[Substring(key)]) { values[key] = .int(bytes) }
        }
        if context.wants("dumpable") {
            if pid == getpid() {
                values["dumpable"] = .bool(doctor_get_dumpable() == 1)
            } else if let uid, uid != 0 {
                do {
                    values["dumpable"] = .bool(try directory.owner().uid == uid)
                } catch {
                    throw .gone
                }
            } else {
                reason = "whether a process running as root is dumpable cannot be read from outside it"
            }
        }
        let wantsLimits = ["LimitMEMLOCK", "LimitMEMLOCKHard", "LimitCORE", "LimitCOREHard", "LimitNOFILE", "LimitNOFILEHard"].contains { context.wants($0) }
        if wantsLimits {
            let limitsText: String
            do {
                limitsText = try directory.read("limits")
            } catch {
                throw error.message == ProcFS.exited(pid) ? .gone : .failed(error)
            }
            let limits = ProcFS.limits(limitsText)
            for (row, key) in [("Max locked memory", "LimitMEMLOCK"), ("Max core file size", "LimitCORE"), ("Max open files", "LimitNOFILE")] {
                guard let limit = limits[row] else { continue }
                values[key] = .int(limit.soft)
                values[key + "Hard"] = .int(limit.hard)
            }
        }
        // A process that exited between the reads leaves a zombie or nothing: re-check that it is still there.
        if (try? directory.read("stat")) == nil { throw .gone }
        return (values, reason)
    }
}

/// Why reading a process failed: it is gone (not an error: observed as not running), or the read failed.
enum ProcessProbeFailure: Error {
    case gone
    case failed(ProbeError)
}
