#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The entries of one directory (`opendir`/`readdir`), the one directory walk of the catalog loader, governance
/// and the probes' globs: names without `.` and `..`, each with its kind as the directory says it (resolved
/// with `lstat` when the file system does not say). Symlinks are reported as symlinks, never followed here.
public enum DirectoryEntries {
    public enum Kind: Sendable, Equatable {
        case directory, symlink, other
    }

    public struct Entry: Sendable, Equatable {
        public var name: String
        public var kind: Kind
    }

    /// The entries of `path`; empty when it cannot be opened.
    public static func list(_ path: String) -> [Entry] {
        guard let handle = opendir(path) else { return [] }
        defer { closedir(handle) }
        var out: [Entry] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let kind: Kind
            switch entry.pointee.d_type {
            case UInt8(DT_DIR): kind = .directory
            case UInt8(DT_LNK): kind = .symlink
            case UInt8(DT_UNKNOWN):
                var info = stat()
                let mode = lstat(path + "/" + name, &info) == 0 ? info.st_mode & S_IFMT : 0
                kind = mode == S_IFDIR ? .directory : mode == S_IFLNK ? .symlink : .other
            default: kind = .other
            }
            out.append(Entry(name: name, kind: kind))
        }
        return out
    }

    /// Whether `path` names a directory, following symlinks.
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}
