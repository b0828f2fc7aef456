import DoctorCore
@testable import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

/// Starts `Fixtures/process/posture.py` (through `prefix`, e.g. setpriv or prlimit) and waits for "ready".
func postureProcess(_ prefix: [String], _ flags: [String] = []) throws -> ChildProcess {
    let directory = TemporaryDirectory(prefix: "doctor-posture")
    let out = directory.path + "/out"
    let child = try ChildProcess(prefix + ["/usr/bin/python3", fixtures + "/process/posture.py"] + flags, stdout: out)
    guard ChildProcess.waitFor(seconds: 10, { (try? String(contentsOfFile: out, encoding: .utf8))?.contains("ready") == true }) else {
        throw ToolError("posture.py did not start: \((try? String(contentsOfFile: out, encoding: .utf8)) ?? "")")
    }
    return child
}

/// A field of `/proc/<pid>/status`, read by the test itself.
func statusField(_ pid: pid_t, _ name: String) -> String? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
        return line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
    }
    return nil
}

func processCheck(_ id: String, _ pid: pid_t, _ expect: String) -> String {
    fileCheck(id, "{type: process, pid: \(pid)}", expect)
}

@Suite struct ProcessProbeTests {
    @Test func seccompNoNewPrivsAndDumpabilityOfRealChildren() async throws {
        let nobody = ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        let sandboxed = try postureProcess(nobody, ["--seccomp-allow-all", "--not-dumpable"])
        let plain = try postureProcess(nobody)
        let results = try await runChecks(
            processCheck("sandboxed", sandboxed.pid, "{running: true, owner: nobody, Seccomp: 2, Seccomp_filters: 1, NoNewPrivs: true, CapEff: {empty: true}, dumpable: false}")
                + processCheck("plain", plain.pid, "{running: true, owner: nobody, Seccomp: 0, NoNewPrivs: false, dumpable: true}")
                + processCheck("plain-must-be-sandboxed", plain.pid, "{Seccomp: 2, NoNewPrivs: true, dumpable: false}"))
        #expect(results.map(\.status) == [.pass, .pass, .fail], "\(results.map(\.message))")
        #expect(results[2].message == "process \(plain.pid): Seccomp is 0, expected == 2; process \(plain.pid): NoNewPrivs is false, expected == true; process \(plain.pid): dumpable is true, expected == false")
        // What the probe saw is what the kernel says.
        let seen = try #require(results[0].observed.first)
        #expect(seen.value("Seccomp") == .int(Int64(statusField(sandboxed.pid, "Seccomp") ?? "") ?? -1))
        #expect(seen.value("VmRSS") != nil)
    }

    @Test func noNewPrivsSetBySetpriv() async throws {
        let child = try postureProcess(["/usr/bin/setpriv", "--no-new-privs"])
        let results = try await runChecks(processCheck("nnp", child.pid, "{NoNewPrivs: true, Seccomp: 0}"))
        #expect(results.map(\.status) == [.pass], "\(results.first?.message ?? "")")
        #expect(statusField(child.pid, "NoNewPrivs") == "1")
    }

    @Test func aReasonAboutDumpabilityDoesNotStandInForOtherValues() async throws {
        // A process running as root: its dumpability cannot be read from outside, and that reason must not
        // replace the real mismatch of another value.
        try #require(geteuid() == 0, "runs as root here")
        let child = try ChildProcess(["/bin/sleep", "60"])
        let results = try await runChecks(processCheck("root", child.pid, "{NoNewPrivs: true, dumpable: false}"))
        withExtendedLifetime(child) {}
        let message = results.first?.message ?? ""
        #expect(results.map(\.status) == [.fail])
        #expect(message.contains("NoNewPrivs is false, expected == true"), "\(message)")
        #expect(message.contains("whether a process running as root is dumpable cannot be read from outside it (expected dumpable == false)"), "\(message)")
    }

    @Test func limitsAreParsedByColumn() async throws {
        let limited = try postureProcess(["/usr/bin/prlimit", "--memlock=65536:131072", "--core=0:unlimited", "--nofile=512:1024", "--"])
        let results = try await runChecks(processCheck("limits", limited.pid, "{LimitMEMLOCK: 64K, LimitMEMLOCKHard: 128K, LimitCORE: 0, LimitCOREHard: infinity, LimitNOFILE: 512, LimitNOFILEHard: 1024}"))
        withExtendedLifetime(limited) {}
        #expect(results.map(\.status) == [.pass], "\(results.first?.message ?? "")")
    }

    @Test func droppedCapabilitiesAreNamed() async throws {
        // The bounding set without cap_net_raw; effective set as root otherwise.
        let dropped = try postureProcess(["/usr/bin/setpriv", "--bounding-set=-net_raw", "--inh-caps=-all"])
        let results = try await runChecks(
            processCheck("bounding", dropped.pid, "{CapBnd: {not_contains: cap_net_raw}}")
                + processCheck("still-has", dropped.pid, "{CapBnd: {contains: cap_net_raw}}")
                + fileCheck("caps", "{type: capabilities, pid: \(dropped.pid)}", "{bounding: {not_contains: cap_net_raw}, ambient: {empty: true}}"))
        #expect(results.map(\.status) == [.pass, .fail, .pass])
        // Every name matches the kernel's mask, decoded independently of libcap.
        let mask = UInt64(statusField(dropped.pid, "CapBnd") ?? "", radix: 16) ?? 0
        let names = results[0].observed.first?.value("CapBnd")?.asList ?? []
        #expect(names.count == mask.nonzeroBitCount)
    }

    @Test func aMissingOrExitingProcessIsNotRunningNeverAnError() async throws {
        var statuses: [CheckStatus] = []
        var messages: [String] = []
        for _ in 0..<20 {
            // Exits on its own while the probe may be reading it.
            let brief = try ChildProcess(["/bin/sleep", "0.0\(Int.random(in: 1...5))"])
            let results = try await runChecks(processCheck("brief", brief.pid, "{running: true, VmRSS: {ge: 0}, LimitCORE: {ge: 0}}"))
            statuses += results.map(\.status)
            messages += results.map(\.message)
            await brief.wait()
        }
        #expect(!statuses.contains(.error), "\(messages)")
        for (status, message) in zip(statuses, messages) where status == .fail {
            #expect(message.contains("exited") || message.contains("no process"), "\(message)")
        }
        let gone = try ChildProcess(["/bin/true"])
        await gone.wait()
        let results = try await runChecks(processCheck("gone", gone.pid, "{running: false}") + processCheck("gone-must-run", gone.pid, "{Seccomp: 2}"))
        #expect(results.map(\.status) == [.pass, .fail])
        #expect(results[1].message == "no process \(gone.pid) (expected Seccomp == 2)")
    }
}

@Suite struct KernelProbeTests {
    @Test func kernelFactsMatchWhatTheKernelSays() async throws {
        let pidMax = try String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let release = try String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let results = try await runChecks(
            fileCheck("sysctl", "{type: kernel, sysctl: kernel.pid_max}", "{value: \(pidMax), release: \"\(release)\"}")
                + fileCheck("sysctl-path", "{type: kernel, sysctl: kernel/pid_max}", "{value: {gt: 0}}")
                + fileCheck("missing", "{type: kernel, sysctl: kernel/no_such_entry}", "{value: 1}"))
        #expect(results.map(\.status) == [.pass, .pass, .fail])
        let escape = await loadError(fileCheck("escape", "{type: kernel, sysctl: ../etc/passwd}", "{value: 1}"))
        #expect(escape?.contains("[escape] probe 'kernel': 'sysctl' must name an entry under /proc/sys") == true, "\(escape ?? "loaded")")
        #expect(results[2].message == "no /proc/sys/kernel/no_such_entry on this kernel (expected value == 1)")
    }

    @Test func memoryFactsMatchDirectQuestions() async throws {
        // The probe runs in this process, so its limits are this process's; asked here through /proc/self/limits.
        let limits = try String(contentsOfFile: "/proc/self/limits", encoding: .utf8)
        let row = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max locked memory") })
        let columns = row.dropFirst("Max locked memory".count).split(separator: " ")
        let soft = columns[0] == "unlimited" ? "infinity" : String(columns[0])
        // memfd_secret and Landlock, asked with raw syscalls from Python (an implementation that is not ours).
        let script = """
            import ctypes, os
            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.syscall(447, 0)
            print("true" if fd >= 0 else "false")
            abi = libc.syscall(444, None, 0, 1)
            print(abi if abi > 0 else 0)
            """
        let directory = TemporaryDirectory(prefix: "doctor-kernel")
        let python = try ChildProcess(["/usr/bin/python3", "-c", script], stdout: directory.path + "/out")
        await python.wait()
        let answers = (directory.read("out") ?? "").split(separator: "\n").map(String.init)
        try #require(answers.count == 2, "\(answers)")
        let results = try await runChecks(
            fileCheck("memory", "{type: kernel}", "{memlock_limit: \(soft), memfd_secret: \(answers[0]), landlock_abi: \(answers[1]), mlock: true}"))
        #expect(results.map(\.status) == [.pass], "\(results.first?.message ?? "")")
    }

    @Test func lsmListAndSwapAreReadOrExplained() async throws {
        let results = try await runChecks(fileCheck("lsm-swap", "{type: kernel}", "{lsm: {empty: false}, swap: [none, encrypted, memory, plaintext]}"))
        let result = try #require(results.first)
        if let lsm = try? String(contentsOfFile: "/sys/kernel/security/lsm", encoding: .utf8) {
            #expect(result.observed.first?.value("lsm") == .list(lsm.trimmingCharacters(in: .newlines).split(separator: ",").map { .string(String($0)) }))
        } else {
            // No securityfs here: the reason is given, not a guess.
            #expect(result.message.contains("cannot read the LSM list (/sys/kernel/security/lsm)"), "\(result.message)")
        }
        let swaps = try String(contentsOfFile: "/proc/swaps", encoding: .utf8).split(separator: "\n").dropFirst()
        let devices = result.observed.first?.value("swap_devices")?.asList ?? []
        #expect(devices.count == swaps.count)
        if swaps.isEmpty { #expect(result.observed.first?.value("swap") == .string("none")) }
    }
}

@Suite struct CapabilitiesProbeTests {
    @Test func fileCapabilitiesSetWithSetcap() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-caps")
        let binary = directory.path + "/pinger"
        try FileManager.default.copyItem(atPath: "/bin/true", toPath: binary)
        let plain = directory.path + "/plain"
        try FileManager.default.copyItem(atPath: "/bin/true", toPath: plain)
        let setcap = try ChildProcess(["/usr/sbin/setcap", "cap_net_bind_service,cap_net_raw+ep", binary])
        try #require(await setcap.wait() == 0)
        let getcap = try ChildProcess(["/usr/sbin/getcap", binary], stdout: directory.path + "/getcap")
        await getcap.wait()
        let reported = (directory.read("getcap") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let results = try await runChecks(
            fileCheck("granted", "{type: capabilities, path: \"\(binary)\"}", "{effective: [cap_net_bind_service, cap_net_raw], permitted: {contains: cap_net_raw}, inheritable: {empty: true}}")
                + fileCheck("default", "{type: capabilities, path: \"\(binary)\"}")
                + fileCheck("plain", "{type: capabilities, path: \"\(plain)\"}", "{permitted: {empty: true}, text: \"\"}")
                + fileCheck("missing", "{type: capabilities, path: \"\(directory.path)/nope\"}"))
        #expect(results.map(\.status) == [.pass, .fail, .pass, .fail])
        // libcap's text is what getcap prints after the path.
        let text = results[0].observed.first?.value("text")?.asString ?? ""
        #expect(reported == "\(binary) \(text)", "getcap: \(reported); probe: \(text)")
        #expect(results[3].message.contains("No such file or directory"))
    }
}

@Suite struct SwapTableTests {
    // The classifier on /proc/swaps text; which device is dm-crypt is decided by the closures (no such
    // devices can be made here).
    let table = """
        Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority
        /dev/dm-1                               partition\t8388604\t\t0\t\t-2
        /dev/zram0                              partition\t4194300\t\t0\t\t100
        /swap\\040file                           file\t\t1048572\t\t0\t\t-3
        """

    @Test func parsesNamesAndTypes() {
        let areas = SwapTable.parse(table)
        #expect(areas.map(\.name) == ["/dev/dm-1", "/dev/zram0", "/swap file"])
        #expect(areas.map(\.type) == ["partition", "partition", "file"])
    }

    @Test func classifies() {
        let areas = SwapTable.parse(table)
        #expect(SwapTable.classify([], isEncrypted: { _ in false }) == .none)
        #expect(SwapTable.classify(areas, isEncrypted: { _ in true }) == .encrypted)
        #expect(SwapTable.classify(areas, isEncrypted: { $0.name == "/dev/dm-1" }) == .plaintext)
        #expect(SwapTable.classify(Array(areas[1...1]), isEncrypted: { _ in false }) == .memory)
    }
}
