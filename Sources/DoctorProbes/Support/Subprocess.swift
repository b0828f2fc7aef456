import CLinux
import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program for a probe: never through a shell, in a process group of its own, with a clean environment,
/// standard input from /dev/null, and standard output and error captured up to a cap. Every wait is bounded by
/// the deadline and notices cancellation; when the program ends, times out, is cancelled or overflows its cap,
/// its whole process group is killed before it is reaped, so nothing it started is left running (a grandchild
/// that holds the pipes open included). Programs that leave the group on purpose (`setsid`) are out of reach.
enum Subprocess {
    struct Outcome {
        enum Ending: Equatable {
            /// Exited with this status.
            case exited(Int32)
            /// Killed by this signal (not by us).
            case signaled(Int32)
            /// Still running at the deadline (killed).
            case timedOut
            /// The task was cancelled (killed).
            case cancelled
            /// Wrote more than the cap on one stream (killed).
            case overflow(stream: String)
        }

        var ending: Ending
        var stdout: [UInt8]
        var stderr: [UInt8]
        var pid: Int32
        var duration: Duration
    }

    struct Failure: Error {
        var message: String
    }

    /// Runs `arguments[0]` (an absolute path) with exactly `environment`, in `directory` when given.
    static func run(
        _ arguments: [String], environment: [String: String], directory: String?, limit: Int, deadline: ContinuousClock.Instant
    ) throws(Failure) -> Outcome {
        let started = ContinuousClock.now
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard doctor_pipe2(&out, O_CLOEXEC) == 0 else { throw Failure(message: "pipe: \(String(cString: strerror(errno)))") }
        guard doctor_pipe2(&err, O_CLOEXEC) == 0 else {
            close(out[0]); close(out[1])
            throw Failure(message: "pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        if let directory { doctor_spawn_addchdir(&actions, directory) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A group of its own (pgid = its pid), every signal at its default (doctor ignores SIGTERM and SIGPIPE
        // and a child must not inherit that), nothing blocked.
        var everything = sigset_t(), nothing = sigset_t()
        sigfillset(&everything)
        sigemptyset(&nothing)
        posix_spawnattr_setsigdefault(&attributes, &everything)
        posix_spawnattr_setsigmask(&attributes, &nothing)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        var rc = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, &envp)
        // ETXTBSY: somebody holds the program open for writing, often only for an instant (an upgrade replacing
        // it, or a child forked elsewhere in this process that has not yet reached exec and still holds a
        // descriptor). Five tries over about 150 ms, within the deadline; a program that stays busy is the error.
        var pause = Duration.milliseconds(10)
        for _ in 0..<4 where rc == ETXTBSY && !Task.isCancelled && ContinuousClock.now + pause < deadline {
            let nanoseconds = pause.components.attoseconds / 1_000_000_000
            var request = timespec(tv_sec: 0, tv_nsec: Int(nanoseconds))
            nanosleep(&request, nil)
            pause *= 2
            rc = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, &envp)
        }
        close(out[1])
        close(err[1])
        guard rc == 0 else {
            close(out[0]); close(err[0])
            throw Failure(message: "cannot run \(arguments[0]): \(String(cString: strerror(rc)))")
        }
        defer { close(out[0]); close(err[0]) }
        _ = fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(err[0], F_SETFL, fcntl(err[0], F_GETFL) | O_NONBLOCK)

        // Readable when the program exits, so that the wait ends then and not at the next poll slice.
        let exitDescriptor = doctor_pidfd_open(pid)
        defer { if exitDescriptor >= 0 { close(exitDescriptor) } }
        var stdout: [UInt8] = [], stderr: [UInt8] = []
        var open = [true, true]
        var ending: Outcome.Ending?
        var exitedAt: ContinuousClock.Instant?
        var chunk = [UInt8](repeating: 0, count: 65536)
        while ending == nil {
            if Task.isCancelled { ending = .cancelled; break }
            let now = ContinuousClock.now
            if now >= deadline { ending = .timedOut; break }
            // Once the program has exited, what it wrote is read for at most 100 ms more: a grandchild holding
            // the pipes must not keep the check waiting.
            if let exitedAt, !(open[0] || open[1]) || now - exitedAt > .milliseconds(100) { break }
            var descriptors = [
                pollfd(fd: open[0] ? out[0] : -1, events: Int16(POLLIN), revents: 0), pollfd(fd: open[1] ? err[0] : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: exitedAt == nil ? exitDescriptor : -1, events: Int16(POLLIN), revents: 0),
            ]
            // Slices of 20 ms to notice cancellation; 1 ms when the exit cannot be waited for (no pidfd).
            let slice = Int32(min(exitDescriptor >= 0 || exitedAt != nil ? 20 : 1, max(1, (deadline - now).milliseconds)))
            _ = poll(&descriptors, 3, slice)
            for (index, fd) in [out[0], err[0]].enumerated() where open[index] {
                while true {
                    let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if count > 0 {
                        if index == 0 { stdout += chunk[0..<count] } else { stderr += chunk[0..<count] }
                        if (index == 0 ? stdout.count : stderr.count) > limit {
                            ending = .overflow(stream: index == 0 ? "standard output" : "standard error")
                            break
                        }
                        continue
                    }
                    if count == 0 || (errno != EAGAIN && errno != EINTR) { open[index] = false }
                    break
                }
            }
            if exitedAt == nil && Subprocess.hasExited(pid) { exitedAt = .now }
        }
        // The group goes first (the leader is still unreaped, so its id cannot have been reused), then the leader.
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if ending == nil {
            let signal = status & 0x7f
            ending = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        }
        if stdout.count > limit { stdout.removeSubrange(limit...) }
        if stderr.count > limit { stderr.removeSubrange(limit...) }
        return Outcome(ending: ending!, stdout: stdout, stderr: stderr, pid: pid, duration: .now - started)
    }

    /// Whether the process has exited, without reaping it.
    static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info._sifields._sigchld.si_pid == pid
    }

    static func signalName(_ number: Int32) -> String {
        let names: [Int32: String] = [SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS",
                                      SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM"]
        return names[number] ?? "signal \(number)"
    }
}
