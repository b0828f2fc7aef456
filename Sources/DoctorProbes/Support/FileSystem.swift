import DoctorCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File-system access shared by the probes: `lstat` facts, owner names, glob walking and hashing. Nothing
/// here opens anything but regular files, so FIFOs and devices never block a probe.
enum FileSystem {
    struct Info {
        var type: String
        var mode: Int64
        var uid: UInt32
        var gid: UInt32
        var size: Int64
    }

    struct Errno: Error {
        var code: Int32
    }

    /// `lstat` (or `stat` when following links); the errno when the path cannot be examined.
    static func info(_ path: String, follow: Bool) -> Result<Info, Errno> {
        var st = stat()
        let rc = follow ? stat(path, &st) : lstat(path, &st)
        guard rc == 0 else { return .failure(Errno(code: errno)) }
        return .success(Info(
            type: typeName(st.st_mode), mode: Int64(st.st_mode & 0o7777), uid: st.st_uid, gid: st.st_gid,
            size: Int64(st.st_size)))
    }

    static func typeName(_ mode: mode_t) -> String { FileBytes.typeName(mode) }

    static let typeNames = ["file", "dir", "symlink", "socket", "fifo", "char-device", "block-device"]

    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: - Names (cached: a catalog of 10,000 files owned by root looks root up once)

    /// Resolved names, with the last one kept apart: most files of a catalog share an owner.
    struct NameCache {
        var last: (id: UInt32, name: String?)?
        var names: [UInt32: String?] = [:]

        mutating func lookup(_ id: UInt32) -> String?? {
            if let last, last.id == id { return .some(last.name) }
            guard let found = names[id] else { return nil }
            last = (id, found)
            return .some(found)
        }
    }

    private static let userNames = Mutex(NameCache())
    private static let groupNames = Mutex(NameCache())

    static func userName(_ uid: UInt32) -> String? {
        name(uid, cache: userNames) { id, buffer in
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            return getpwuid_r(id, &entry, &buffer, buffer.count, &result) == 0 && result != nil ? String(cString: entry.pw_name) : nil
        }
    }

    static func groupName(_ gid: UInt32) -> String? {
        name(gid, cache: groupNames) { id, buffer in
            var entry = group()
            var result: UnsafeMutablePointer<group>?
            return getgrgid_r(id, &entry, &buffer, buffer.count, &result) == 0 && result != nil ? String(cString: entry.gr_name) : nil
        }
    }

    /// The name of `id` from `cache`, else from `lookup` (a reentrant libc call given a buffer), remembered.
    private static func name(_ id: UInt32, cache: borrowing Mutex<NameCache>, lookup: (UInt32, inout [CChar]) -> String?) -> String? {
        if let cached = cache.withLock({ $0.lookup(id) }) { return cached }
        var buffer = [CChar](repeating: 0, count: 4096)
        let name = lookup(id, &buffer)
        cache.withLock { $0.names[id] = name }
        return name
    }

    // MARK: - Hashing

    /// SHA-256 of a regular file, read in chunks with the deadline checked between them. Refuses anything that
    /// is not a regular file (`O_NOFOLLOW | O_NONBLOCK`, then `fstat`).
    static func sha256(_ path: String, follow: Bool, deadline: ContinuousClock.Instant) -> Result<String, ProbeError> {
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW)
        let fd = open(path, flags)
        guard fd >= 0 else { return .failure(ProbeError("cannot open \(path): \(FileBytes.errnoText(errno))")) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            return .failure(ProbeError("\(path) is not a regular file; not hashed"))
        }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            if ContinuousClock.now >= deadline { return .failure(ProbeError("hashing \(path) did not finish before the deadline")) }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(ProbeError("cannot read \(path): \(FileBytes.errnoText(errno))"))
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<n])) }
        }
        return .success(Hex.encode(hasher.finalize()))
    }

    /// The bytes of a small regular file (`FileBytes.read`): never follows a symlink unless told to, never
    /// opens a FIFO or device for reading, and refuses files over `limit` bytes.
    static func readSmall(_ path: String, limit: Int, follow: Bool = false) -> Result<[UInt8], ProbeError> {
        do throws(FileBytes.Failure) {
            return .success(try FileBytes.read(path, limit: limit, follow: follow))
        } catch {
            return .failure(ProbeError(error.described(path)))
        }
    }

    /// `FileBytes.readToEnd` with the errno alone.
    static func readToEnd(_ fd: Int32, limit: Int) -> Result<[UInt8], Errno> {
        FileBytes.readToEnd(fd, limit: limit).mapError { Errno(code: $0.code) }
    }

    // MARK: - Globs

    /// Paths matching `pattern`, sorted. `*`, `?` and `[...]` match within one path segment (not a leading
    /// dot); `**` matches any number of directories; `{a,b}` is each alternative in turn (as in a shell:
    /// `/etc/{shadow,gshadow}-`, nested braces too; a brace without a comma, or unbalanced, is literal).
    /// Symlinked directories are not descended into.
    static func glob(_ pattern: String, deadline: ContinuousClock.Instant) -> Result<[String], ProbeError> {
        guard let alternatives = braceExpansion(pattern) else {
            return .failure(ProbeError("'\(pattern)' expands to more than \(braceLimit) patterns"))
        }
        if alternatives.count == 1 { return globOne(pattern, deadline: deadline) }
        var results: Set<String> = []
        for alternative in alternatives {
            switch globOne(alternative, deadline: deadline) {
            case .success(let paths): results.formUnion(paths)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(results.sorted())
    }

    static let braceLimit = 1024

    /// The patterns a brace expression stands for, in order; nil past `braceLimit`.
    static func braceExpansion(_ pattern: String) -> [String]? {
        let chars = Array(pattern)
        // The first `{` whose matching `}` has a comma at its own depth.
        var index = 0
        while index < chars.count {
            if chars[index] == "{" {
                var depth = 0, commas: [Int] = [], close: Int?
                var cursor = index
                while cursor < chars.count {
                    switch chars[cursor] {
                    case "{": depth += 1
                    case "}":
                        depth -= 1
                        if depth == 0 { close = cursor }
                    case "," where depth == 1: commas.append(cursor)
                    default: break
                    }
                    if close != nil { break }
                    cursor += 1
                }
                if let close, !commas.isEmpty {
                    let prefix = String(chars[..<index]), suffix = String(chars[(close + 1)...])
                    let bounds = [index] + commas + [close]
                    var out: [String] = []
                    for part in 0..<(bounds.count - 1) {
                        let alternative = String(chars[(bounds[part] + 1)..<bounds[part + 1]])
                        guard let expanded = braceExpansion(prefix + alternative + suffix) else { return nil }
                        out += expanded
                        if out.count > braceLimit { return nil }
                    }
                    var seen: Set<String> = []
                    return out.filter { seen.insert($0).inserted }
                }
            }
            index += 1
        }
        return [pattern]
    }

    private static func globOne(_ pattern: String, deadline: ContinuousClock.Instant) -> Result<[String], ProbeError> {
        let absolute = pattern.hasPrefix("/")
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var results: [String] = []
        var expired = false
        var visited = 0
        func walk(_ base: String, _ index: Int) {
            if expired { return }
            visited += 1
            if visited & 63 == 0, ContinuousClock.now >= deadline || Task.isCancelled {
                expired = true
                return
            }
            guard index < segments.count else {
                results.append(base)
                return
            }
            let segment = segments[index]
            func join(_ name: String) -> String {
                base.isEmpty ? (absolute ? "/" + name : name) : (base == "/" ? "/" + name : base + "/" + name)
            }
            if segment == "**" {
                walk(base, index + 1)  // zero directories
                for (name, isDir) in entries(base.isEmpty ? (absolute ? "/" : ".") : base) where isDir && !name.hasPrefix(".") {
                    walk(join(name), index)
                }
                return
            }
            if !segment.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) {
                let next = join(segment)
                var st = stat()
                if lstat(next, &st) == 0 { walk(next, index + 1) }
                return
            }
            for (name, isDir) in entries(base.isEmpty ? (absolute ? "/" : ".") : base) {
                guard fnmatch(segment, name, FNM_PERIOD) == 0 else { continue }
                if index + 1 < segments.count && !isDir { continue }
                walk(join(name), index + 1)
            }
        }
        walk(absolute ? "/" : "", 0)
        if expired {
            if Task.isCancelled { return .failure(ProbeError("expanding '\(pattern)' was cancelled")) }
            return .failure(ProbeError("expanding '\(pattern)' did not finish before the deadline"))
        }
        return .success(results.sorted())
    }

    /// Directory entries with whether each is a real directory (symlinks to directories are not).
    private static func entries(_ path: String) -> [(String, Bool)] {
        DirectoryEntries.list(path).map { ($0.name, $0.kind == .directory) }
    }
}
