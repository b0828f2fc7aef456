import DoctorCore
@testable import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

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
