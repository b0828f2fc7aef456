public import DoctorCore
import Foundation

/// A catalog that can run programs is code: before any `exec` check runs, every catalog file and every
/// directory above it must be owned by the invoking user or root and writable by no one else. A directory
/// writable by others is accepted only with the sticky bit (like /tmp), where others cannot replace entries
/// they do not own. The same rule holds for the programs `exec` checks run.
public enum CatalogTrust {
    /// The problems of `files`, each naming the path and the fix; empty when they can be trusted.
    public static func problems(files: [String], euid: uid_t = geteuid()) -> [String] {
        var problems: [String] = []
        var seen = Set<String>()
        for file in files {
            var path = URL(fileURLWithPath: file).standardizedFileURL.path
            var isFile = true
            while seen.insert(path).inserted {
                if let problem = problem(path, isFile: isFile, euid: euid) { problems.append(problem) }
                guard path != "/" else { break }
                path = (path as NSString).deletingLastPathComponent
                if path.isEmpty { path = "/" }
                isFile = false
            }
        }
        return problems
    }

    /// The problem with one path, or nil.
    public static func problem(_ path: String, isFile: Bool, euid: uid_t = geteuid()) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return "\(path): cannot inspect it: \(String(cString: strerror(errno)))" }
        if info.st_uid != euid && info.st_uid != 0 {
            return "\(path) belongs to uid \(info.st_uid), neither you (\(euid)) nor root: `chown \(euid) \(path)` or move the catalog"
        }
        let sticky = info.st_mode & S_ISVTX != 0 && !isFile
        if info.st_mode & 0o022 != 0 && !sticky {
            let who = info.st_mode & 0o002 != 0 ? "anyone" : "its group"
            return "\(path) is writable by \(who) (mode \(String(info.st_mode & 0o7777, radix: 8))): `chmod go-w \(path)`"
        }
        return nil
    }

    /// Whether any check of `checks` runs programs.
    public static func runsPrograms(_ checks: some Sequence<Check>) -> Bool {
        checks.contains { $0.probe.type == ExecProbe.spec.type }
    }
}
