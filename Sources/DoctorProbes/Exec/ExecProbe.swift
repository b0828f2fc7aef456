public import DoctorCore
import Foundation

/// Any executable as a probe: a Nagios/Monitoring plugin, or a program that prints one JSON object.
public struct ExecProbe: ProgramRunningProbe {
    enum Parameter {
        static let command = ParameterKey.strings("command", required: true, "The program and its arguments, e.g. `[check_disk, -w, 10%, -p, /]`.")
        static let `protocol` = ParameterKey.enumeration("protocol", ["nagios", "json"], default: "nagios", "How the program reports.")
        static let env = ParameterKey.map("env", of: .string, "Variables to set for the program.")
        static let passEnv = ParameterKey.strings("pass_env", "Variables copied from doctor's environment when set (e.g. `[HOME, XDG_RUNTIME_DIR]`).")
        static let cwd = ParameterKey.string("cwd", "The working directory (default: /).")
        static let maxOutput = ParameterKey.byteSize("max_output", default: "1M", "The most the program may write on standard output or on standard error.")
        static let observe = ParameterKey.strings("observe", "Performance-data labels (`perf.<label>`) or JSON observation names that `expect` uses.")
    }

    enum Observed {
        static let status = ObservationKey("status", .enumeration(["pass", "warn", "fail", "error"]), "The program's verdict.")
        static let exitCode = ObservationKey("exit_code", .integer, "Its exit status.")
        static let message = ObservationKey("message", .string, "Its one-line message (Nagios: the first line before `|`; JSON: `message`).")
        static let output = ObservationKey("output", .string, "Everything it wrote on standard output (up to `max_output`).")
        static let stderr = ObservationKey("stderr", .string, "What it wrote on standard error (up to `max_output`).")
        static let duration = ObservationKey("duration", .duration, "How long it ran.")
    }

    public static let spec = ProbeSpec(
        type: "exec",
        summary: "Runs a program (never through a shell) and reads its verdict: the Nagios plugin protocol or one JSON object.",
        discussion: """
            `command` is the program and its arguments. The program is an absolute path, or a bare name looked up \
            in the plugin directories (`--plugin-dir`, `DOCTOR_PLUGIN_PATH`; by default /usr/local/lib/doctor/plugins, \
            /usr/lib/doctor/plugins, /usr/lib/nagios/plugins, /usr/lib/monitoring-plugins), never in `$PATH`. It runs \
            with a clean environment (`PATH=/usr/local/bin:/usr/bin:/bin`, `LC_ALL=C`, then the variables of \
            `pass_env` copied from doctor's environment, then `env`), standard input from /dev/null, in `cwd` if \
            given, in a process group of its own. At the check's deadline, on cancellation, or when it writes more \
            than `max_output` on a stream, the whole group is killed; when it exits, anything it left running in \
            its group is killed too. `exec` checks only run with `--allow-exec` (or `DOCTOR_ALLOW_EXEC=1`) and a \
            trusted catalog (docs/probes/exec.md); otherwise they are skipped with the reason.

            `protocol: nagios` (the default): exit status 0, 1, 2, 3 are OK, WARNING, CRITICAL, UNKNOWN, observed \
            as `status` pass, warn, fail and error; UNKNOWN (or any other exit status) makes the check an error. \
            The first line of output is the `message`; performance data after `|` (`label=value[UOM];warn;crit;min;max`, \
            on the first line or the long-output lines) is observed as `perf.<label>` (a number, in the unit \
            printed; `perf.<label>.unit` is the unit) and exported by the prometheus and OTLP formats.

            `protocol: json`: the program prints one JSON object, `{"status": "pass"|"warn"|"fail"|"error", \
            "message": "...", "observations": {"name": value, ...}}`; its exit status is observed but not \
            interpreted. Observations are matched by expectations like any probe's (name them in `observe`).

            Without `expect`, the check is the plugin's verdict: pass on pass, warn on warn, fail on fail.
            """,
        parameters: [
            Parameter.command, Parameter.`protocol`, Parameter.env, Parameter.passEnv, Parameter.cwd,
            Parameter.maxOutput, Parameter.observe,
        ],
        observations: [
            Observed.status, Observed.exitCode, Observed.message, Observed.output, Observed.stderr, Observed.duration,
        ],
        namedObservations: Parameter.observe,
        defaultExpect: "{status: {in: [pass, warn], warn_if: {eq: warn}}}",
        examples: [
            ProbeExample("A Monitoring Plugin with a threshold on its performance data", """
                id: host-root-disk
                title: The root file system has free space
                category: platform-integration
                severity: medium
                timeout: 10s
                probe:
                  type: exec
                  command: [check_disk, -w, 10%, -c, 5%, -p, /]
                  observe: [perf./]
                expect:
                  status: {in: [pass, warn], warn_if: {eq: warn}}
                """,
                .pass(where: "a machine whose root file system has 10% free or more"),
                .warn(containing: "DISK WARNING", where: "a machine with less than 10% free"),
                .fail(containing: "DISK CRITICAL", where: "a machine with less than 5% free")),
            ProbeExample("A program speaking the JSON protocol", """
                id: audit-log-recent
                title: The audit log was written in the last day
                category: crypto-posture
                severity: low
                probe:
                  type: exec
                  protocol: json
                  command: [json_plugin.py, "${HOME}/.config/pds/audit.jsonl"]
                  observe: [age_hours]
                expect:
                  status: pass
                  age_hours: {lt: 26, warn_if: {gt: 24}}
                """,
                .pass()),
            ProbeExample("A program that cannot tell", """
                id: vault-backup-fresh
                title: The vault backup is recent
                category: vault-integrity
                severity: high
                probe:
                  type: exec
                  protocol: json
                  command: [json_plugin.py, "${HOME}/backups/default.db"]
                  observe: [age_hours]
                expect:
                  status: pass
                  age_hours: {lt: 26, warn_if: {gt: 24}}
                """,
                .error("json_plugin.py: ${HOME}/backups/default.db does not exist")),
        ],
        performanceData: PerformanceData(prefix: "perf.", unitSuffix: ".unit"))

    let command: [String]
    let json: Bool
    let environment: [(String, String)]
    let passEnvironment: [String]
    let directory: String?
    let limit: Int

    public init(parameters: Parameters) throws(ProbeError) {
        command = parameters[Parameter.command] ?? []
        guard let program = command.first, !program.isEmpty else { throw ProbeError("'command' needs at least the program") }
        json = parameters[Parameter.`protocol`] == "json"
        environment = (parameters[Parameter.env] ?? []).compactMap { name, value in value.asString.map { (name, $0) } }
        passEnvironment = parameters[Parameter.passEnv] ?? []
        if let bad = (environment.map(\.0) + passEnvironment).first(where: { $0.isEmpty || $0.contains("=") }) {
            throw ProbeError("'\(bad)' is not a variable name")
        }
        directory = parameters[Parameter.cwd]
        limit = Int(clamping: parameters[Parameter.maxOutput])
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        let policy = context.settings[ExecPolicy.self] ?? ExecPolicy()
        guard policy.allowed else {
            return ProbeOutput(observations: [], skipReason: "exec checks are off: run with --allow-exec (or DOCTOR_ALLOW_EXEC=1) to allow them")
        }
        let path: String
        switch policy.resolve(command[0]) {
        case .success(let found): path = found
        case .failure(let error): throw ProbeError(error.message)
        }
        if let problem = CatalogTrust.problem(path, isFile: true) { throw ProbeError("refusing to run it: \(problem)") }
        var variables = ["PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C"]
        let inherited = ProcessInfo.processInfo.environment
        for name in passEnvironment { if let value = inherited[name] { variables[name] = value } }
        for (name, value) in environment { variables[name] = value }
        let name = (command[0] as NSString).lastPathComponent
        let outcome: Subprocess.Outcome
        do throws(Subprocess.Failure) {
            outcome = try Subprocess.run([path] + command.dropFirst(), environment: variables, directory: directory ?? "/", limit: limit, deadline: context.deadline)
        } catch {
            throw ProbeError(error.message)
        }
        let exitCode: Int32
        switch outcome.ending {
        case .exited(let code): exitCode = code
        case .signaled(let signal): throw ProbeError("\(name) was killed by \(Subprocess.signalName(signal))")
        case .timedOut: throw ProbeError("\(name) was still running at the deadline; its process group was killed")
        case .cancelled: throw ProbeError("\(name) was stopped: the run was cancelled")
        case .overflow(let stream): throw ProbeError("\(name) wrote more than \(limit) bytes on \(stream); its process group was killed")
        }
        let stdout = String(decoding: outcome.stdout, as: UTF8.self)
        func trimmed(_ text: String) -> String { String(text.reversed().drop { $0 == "\n" || $0 == "\r\n" }.reversed()) }
        var values: ObservedValues = [
            Observed.exitCode: .int(Int64(exitCode)), Observed.output: .string(trimmed(stdout)),
            Observed.stderr: .string(trimmed(String(decoding: outcome.stderr, as: UTF8.self))), Observed.duration: .double(outcome.duration.seconds),
        ]
        let verdict = json ? try ExecVerdict.json(stdout) : try ExecVerdict.nagios(stdout, exitCode: exitCode, program: name)
        values[Observed.status] = .string(verdict.status)
        values[Observed.message] = .string(verdict.message)
        // Performance data and the program's own observations: names the check chooses (`observe`).
        for (name, value) in verdict.observations { values[dynamic: name] = value }
        if verdict.status == "error" {
            throw ProbeError("\(name): \(verdict.message.isEmpty ? "reported an error" : verdict.message)")
        }
        let subject = verdict.message.isEmpty ? name : "\(name): \(verdict.message)"
        return ProbeOutput(observations: [Observation(subject: subject, values: values)])
    }
}
