#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Validated catalogs, compiled and kept. When every file of a catalog is unchanged since it was validated
/// (same device, inode, size, modification and change time, the way git's index tells), and the tool version,
/// the probe registry, the governance frameworks and the file names are the same, the entry is decoded instead of parsing and validating
/// the YAML again. Any write to a file changes its ctime, which only the kernel sets. Only valid catalogs are
/// stored.
///
/// The cache is used only when its directory is the invoking user's and nobody else can write to it, so a
/// cache entry is exactly as trusted as the user's own files. `DOCTOR_CACHE=off` (or `--no-cache`) disables
/// it; `DOCTOR_CACHE_DIR` moves it (default `$XDG_CACHE_HOME/doctor`, else `~/.cache/doctor`).
public struct CatalogCache: Sendable {
    public let directory: String
    /// Entries kept; older ones are removed when a new one is stored.
    public var keep = 16

    public init(directory: String) {
        self.directory = directory
    }

    /// The cache the environment asks for; nil when disabled or when no home is known.
    public static func standard(environment: [String: String]) -> CatalogCache? {
        if let setting = environment["DOCTOR_CACHE"]?.lowercased(), ["off", "0", "no", "false"].contains(setting) { return nil }
        if let explicit = environment["DOCTOR_CACHE_DIR"], !explicit.isEmpty { return CatalogCache(directory: explicit) }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return CatalogCache(directory: xdg + "/doctor") }
        if let home = environment["HOME"], home.hasPrefix("/") { return CatalogCache(directory: home + "/.cache/doctor") }
        return nil
    }

    /// The key of a catalog: tool version, probe registry, and every file's name and stamp.
    static func key(registry: ProbeRegistry, files: [(display: String, stamp: [UInt8])], governance: String? = nil) -> String {
        var hasher = SHA256()
        hasher.update(data: Array("doctor \(DoctorVersion.current)\n".utf8))
        hasher.update(data: Array((governance ?? "no governance").utf8) + [0])
        hasher.update(data: Array(registry.signature.utf8))
        for file in files {
            hasher.update(data: Array(file.display.utf8) + [0])
            hasher.update(data: file.stamp)
        }
        return Hex.encode(hasher.finalize())
    }

    private func path(_ key: String) -> String { "\(directory)/\(key).catalog" }

    /// The directory is a real directory of the invoking user that nobody else can write.
    private func directoryIsTrusted() -> Bool {
        var info = stat()
        guard lstat(directory, &info) == 0 else { return false }
        return info.st_mode & S_IFMT == S_IFDIR && info.st_uid == geteuid() && info.st_mode & 0o022 == 0
    }

    func load(_ key: String) -> Catalog? {
        guard directoryIsTrusted() else { return nil }
        let file = path(key)
        var info = stat()
        guard lstat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(), info.st_mode & 0o022 == 0,
            let bytes = try? FileBytes.read(file, limit: 512 << 20)
        else { return nil }
        return CatalogCodec.decode(bytes, key: key)
    }

    func store(_ catalog: Catalog, key: String) {
        if !directoryIsTrusted() {
            // Create the directory (and missing parents) private to the user; never loosen an existing one.
            var partial = ""
            for component in directory.split(separator: "/") {
                partial += "/" + component
                mkdir(partial, 0o700)
            }
            guard directoryIsTrusted() else { return }
        }
        let bytes = CatalogCodec.encode(catalog, key: key)
        guard let writer = try? AtomicFile.Writer(path: path(key), mode: 0o600) else { return }
        do throws(AtomicFile.Failure) {
            try writer.write(bytes)
            try writer.commit()
        } catch {
            return
        }
        prune()
    }

    /// Keeps the `keep` most recently written entries.
    private func prune() {
        guard let dir = opendir(directory) else { return }
        var entries: [(String, Int)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasSuffix(".catalog") else { continue }
            var info = stat()
            if lstat(directory + "/" + name, &info) == 0 { entries.append((name, Int(info.st_mtim.tv_sec))) }
        }
        closedir(dir)
        guard entries.count > keep else { return }
        for (name, _) in entries.sorted(by: { $0.1 > $1.1 }).dropFirst(keep) { unlink(directory + "/" + name) }
    }
}

extension ProbeRegistry {
    /// Every probe type with its parameters and observations: a cached catalog is valid only for the same.
    var signature: String {
        sorted.map { probe in
            let spec = probe.spec
            let parameters = spec.parameters.map { "\($0.name):\($0.type.phrase):\($0.required)" }.joined(separator: ",")
            let observations = spec.observations.map { "\($0.name):\($0.type.phrase)" }.joined(separator: ",")
            return "\(spec.type)(\(parameters))[\(observations)]{\(spec.defaultExpect ?? "")}\(spec.exactlyOneOf)"
        }.joined(separator: "\n")
    }
}
