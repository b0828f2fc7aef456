import DoctorCore
@testable import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

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
