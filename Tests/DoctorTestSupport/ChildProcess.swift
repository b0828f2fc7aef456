import Foundation

/// A process a test starts (posix_spawn) and kills when the value goes away. Foundation's `Process` is not used:
/// its `waitUntilExit()` can spin forever when called from a deinit.
public final class ChildProcess: @unchecked Sendable {
    public private(set) var pid: pid_t = 0
    private var reaped = false

    /// Starts `arguments[0]` (an absolute path) with `environment` added to this process's environment;
    /// standard input from the file `stdin` (else none), standard error to `stderr` (else with standard output).
    public init(_ arguments: [String], environment: [String: String] = [:], stdout: String? = nil, stdin: String? = nil, stderr: String? = nil) throws {
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Output goes to a file or nowhere, never to the test runner's pipes: a child that outlives a crashed
        // test must not keep `swift test` waiting for its output to close.
        posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let stderr {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        let rc = posix_spawn(&pid, arguments[0], &actions, nil, &argv, &envp)
        guard rc == 0 else { throw ChildProcessError("cannot start \(arguments[0]): \(String(cString: strerror(rc)))") }
    }

    /// Waits for the process to exit on its own; its exit status.
    @discardableResult
    public func wait() -> Int32 {
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        reaped = true
        return (status >> 8) & 0xff
    }

    /// Kills and reaps the process now.
    public func stop() {
        guard !reaped else { return }
        kill(pid, SIGKILL)
        waitpid(pid, nil, 0)
        reaped = true
    }

    /// Polls `condition` every 10 ms for up to `seconds`.
    public static func waitFor(seconds: Double, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    /// Polls `condition` every 10 ms for up to `seconds`, sleeping between polls without holding a thread of the
    /// concurrency pool (which has as many threads as cores: tests that block it starve every other test).
    public static func waitFor(seconds: Double, _ condition: () -> Bool) async -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    /// Waits for the process to exit on its own, without blocking a thread; its exit status.
    @discardableResult
    public func wait() async -> Int32 {
        var status: Int32 = 0
        while !reaped {
            let rc = waitpid(pid, &status, WNOHANG)
            if rc == pid {
                reaped = true
                break
            }
            if rc < 0 && errno != EINTR { return -1 }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return (status >> 8) & 0xff
    }

    deinit { stop() }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
