#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A catalog that can run programs is code: before any check of a `ProgramRunningProbe` runs, every catalog
/// file and every directory above it must be owned by the invoking user or root and writable by no one else. A
/// directory writable by others is accepted only with the sticky bit (like /tmp), where others cannot replace
/// entries they do not own. The same rule holds for the programs such checks run.
public enum CatalogTrust {
    /// The problems of `files`, each naming the path and the fix; empty when they can be trusted.
    public static func problems(files: [String], euid: uid_t = geteuid()) -> [String] {
        var problems: [String] = []
        var seen = Set<String>()
        for file in files {
            var path = absolute(file)
            var isFile = true
            while seen.insert(path).inserted {
                if let problem = problem(path, isFile: isFile, euid: euid) { problems.append(problem) }
                guard path != "/" else { break }
                path = parent(path)
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

    /// Whether any of `checks` is of a probe that runs programs (`ProgramRunningProbe`).
    public static func runsPrograms(_ checks: some Sequence<Check>, registry: ProbeRegistry) -> Bool {
        checks.contains { registry.runsPrograms.contains($0.probe.type) }
    }

    /// `path` made absolute against the working directory, with `.`, `..` and repeated slashes resolved as
    /// text (symlinks are not followed: each directory on the way is examined as it is named).
    static func absolute(_ path: String) -> String {
        var full = path
        if !path.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let cwd = getcwd(&buffer, buffer.count) != nil ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "/"
            full = cwd + "/" + path
        }
        var parts: [Substring] = []
        for part in full.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The directory holding `path` (an absolute, normalised path); "/" for "/" and its entries.
    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
