import DoctorCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `path` or `glob` (with `min_matches`) parameters of a probe that looks at one file at a time: one path,
/// or every match of the pattern (one subject each, e.g. one per profile's vault). Each probe declares the keys
/// (with its own wording), and passes them.
struct FileTargets: Sendable {
    let path: String?
    let pattern: String?
    let minimum: Int64

    init(_ parameters: Parameters, path: ParameterKey<String?>, glob: ParameterKey<String?>, minMatches: ParameterKey<Int64>) throws(ProbeError) {
        self.path = parameters[path]
        pattern = parameters[glob]
        minimum = parameters[minMatches]
        if self.path?.isEmpty == true { throw ProbeError("'\(path.name)' is empty") }
        if pattern?.isEmpty == true { throw ProbeError("'\(glob.name)' is empty") }
    }

    /// Every file matching `pattern`, at least `minimum` of them.
    init(pattern: String, minimum: Int64) {
        path = nil
        self.pattern = pattern
        self.minimum = minimum
    }

    /// The files, and a problem when a pattern matches fewer than `min_matches`.
    /// The skip reason when a glob allowed to match nothing (`min_matches: 0`) matched nothing: such a check
    /// examined nothing, which is never a pass.
    func nothingToExamine(_ paths: [String]) -> String? {
        guard let pattern, paths.isEmpty, minimum <= 0 else { return nil }
        return FileTargets.nothingToExamine(pattern)
    }

    static func nothingToExamine(_ pattern: String) -> String {
        "nothing to examine: no path matches '\(pattern)' (0 subjects)"
    }

    func resolve(deadline: ContinuousClock.Instant) throws(ProbeError) -> (paths: [String], problems: [String]) {
        if let path { return ([path], []) }
        guard let pattern else { return ([], []) }
        let matches = try FileSystem.glob(pattern, deadline: deadline).get()
        let problems = matches.count < minimum
            ? ["\(matches.count) path\(matches.count == 1 ? "" : "s") match '\(pattern)', expected at least \(minimum)"] : []
        return (matches, problems)
    }
}
