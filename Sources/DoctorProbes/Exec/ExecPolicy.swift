import Foundation

/// Whether `exec` checks may run and where their programs may come from. The command line builds it
/// (`--allow-exec`, `DOCTOR_ALLOW_EXEC=1`, `--plugin-dir`, `DOCTOR_PLUGIN_PATH`) and gives it to the run in
/// `RunOptions.settings`; the probe reads it from its context, and a run without one runs no programs.
public struct ExecPolicy: Sendable, Equatable {
    /// Off by default: a catalog that runs programs is code, and running it is a decision.
    public var allowed: Bool
    /// Where a program named without a path is looked up, in order. `$PATH` is never searched.
    public var pluginDirectories: [String]

    public static let defaultPluginDirectories = [
        "/usr/local/lib/doctor/plugins", "/usr/lib/doctor/plugins", "/usr/lib/nagios/plugins", "/usr/lib/monitoring-plugins",
    ]

    public init(allowed: Bool = false, pluginDirectories: [String] = ExecPolicy.defaultPluginDirectories) {
        self.allowed = allowed
        self.pluginDirectories = pluginDirectories
    }

    /// The absolute path of `program`: itself when absolute, else the first plugin directory that has it.
    public func resolve(_ program: String) -> Result<String, ProgramNotFound> {
        if program.hasPrefix("/") {
            return access(program, X_OK) == 0 ? .success(program) : .failure(ProgramNotFound(message: "\(program) is not an executable file"))
        }
        guard !program.contains("/") else {
            return .failure(ProgramNotFound(message: "'\(program)': give an absolute path or a bare name found in a plugin directory"))
        }
        for directory in pluginDirectories where access(directory + "/" + program, X_OK) == 0 {
            return .success(directory + "/" + program)
        }
        return .failure(ProgramNotFound(message: "'\(program)' is in no plugin directory (\(pluginDirectories.joined(separator: ":"))); give an absolute path or --plugin-dir"))
    }

    public struct ProgramNotFound: Error, Sendable {
        public var message: String
    }
}
