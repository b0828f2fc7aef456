import ArgumentParser
import DoctorCore
import DoctorProbes
import Foundation
import Logging

/// How the run behaves.
struct ExecutionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Checks in flight at once (default: twice the number of cores).", valueName: "n"))
    var jobs: Int?

    @Option(help: ArgumentHelp("Timeout of every check that does not set its own (default: the catalog's, else 5s).", valueName: "duration"))
    var timeout: String?

    @Option(help: ArgumentHelp("Budget for the whole run; checks not finished by then are errors.", valueName: "duration"))
    var deadline: String?

    @Option(name: .customLong("log-level"), help: ArgumentHelp("Diagnostics on standard error: trace, debug, info, notice, warning, error, critical.", valueName: "level"))
    var logLevel: String = "warning"

    @Flag(name: .customLong("allow-exec"), help: "Let exec checks run programs (also DOCTOR_ALLOW_EXEC=1). The catalog must be trusted: owned by you or root, writable by no one else.")
    var allowExec = false

    @Option(name: .customLong("plugin-dir"), help: ArgumentHelp("Where exec checks find programs named without a path (repeatable; replaces the defaults; also DOCTOR_PLUGIN_PATH).", valueName: "dir"))
    var pluginDirectories: [String] = []

    /// `--allow-exec` / `DOCTOR_ALLOW_EXEC`, `--plugin-dir` / `DOCTOR_PLUGIN_PATH`.
    var execPolicy: ExecPolicy {
        let environment = ProcessInfo.processInfo.environment
        let allowed = allowExec || ["1", "true", "yes"].contains((environment["DOCTOR_ALLOW_EXEC"] ?? "").lowercased())
        var directories = pluginDirectories
        if directories.isEmpty, let path = environment["DOCTOR_PLUGIN_PATH"], !path.isEmpty {
            directories = path.split(separator: ":").map(String.init)
        }
        return ExecPolicy(allowed: allowed, pluginDirectories: directories.isEmpty ? ExecPolicy.defaultPluginDirectories : directories)
    }

    /// When programs may run and checks of the plan run them, refuses an untrusted catalog (exit 65). (The
    /// policy itself reaches the exec probe in the run's `RunOptions.settings`.)
    func enforceExecPolicy(_ session: CatalogSession, plan: [(check: Check, asRequirement: Bool)]) throws {
        guard execPolicy.allowed else { return }
        let problems = session.opener.trustProblems(session.catalog, running: plan.map(\.check))
        guard problems.isEmpty else {
            Console.err("doctor: refusing to run exec checks from an untrusted catalog:\n" + problems.map { "  \($0)" }.joined(separator: "\n"))
            throw ExitCode(ExitStatus.invalidCatalog.rawValue)
        }
    }

    func seconds(_ text: String?, _ flag: String) throws -> Double? {
        guard let text else { return nil }
        guard let seconds = DurationText.seconds(text), seconds > 0, seconds.isFinite else {
            throw ValidationError("--\(flag) expects a finite duration such as 2s, 250ms or 1m30s (at most \(DurationText.format(seconds: DurationText.longest))), got '\(text)'")
        }
        return seconds
    }

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        _ = try seconds(timeout, "timeout")
        _ = try seconds(deadline, "deadline")
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of: " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }
}
