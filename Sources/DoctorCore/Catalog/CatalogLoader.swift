#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads catalogs: every `*.yaml` / `*.yml` under each directory (recursively, hidden entries skipped), or the
/// files named. A `catalog.yaml` is the catalog's manifest (its own categories and default timeout), not a
/// check file. Every problem of every file is collected; any problem makes the whole catalog invalid.
public struct CatalogLoader: Sendable {
    public var registry: ProbeRegistry
    /// What reads the YAML (DoctorYAML's `LibYAML`; `CatalogLoader(registry:)` there picks it).
    public var yaml: any YAMLParsing

    public init(registry: ProbeRegistry, yaml: any YAMLParsing) {
        self.registry = registry
        self.yaml = yaml
    }

    public static let manifestName = "catalog.yaml"

    /// Loads the catalog at `paths` (directories or files). With a cache, a catalog whose files all hash as
    /// when it was last validated is decoded from the cache instead of parsed. With `governance`, every
    /// framework a check names must be one of its frameworks (by id or alias; stored by id) and every control
    /// ID one of that framework's, each reported at its own position; without it, control IDs are not checked.
    public func load(paths: [String], cache: CatalogCache? = nil, governance: GovernanceSource? = nil) async throws(CatalogError) -> Catalog {
        var issues: [CatalogIssue] = []
        var files: [CatalogFile] = []
        for path in paths {
            do {
                files += try CatalogLoader.discover(path)
            } catch {
                issues.append(error)
            }
        }
        if files.isEmpty && issues.isEmpty {
            let where_ = paths.joined(separator: ", ")
            issues.append(CatalogIssue(file: where_, mark: SourceMark(line: 1, column: 1), message: "no *.yaml check files found"))
        }

        var cacheKey: String?
        if let cache, issues.isEmpty, !files.isEmpty, let stamps = CatalogLoader.stamps(files) {
            let key = CatalogCache.key(registry: registry, files: stamps, governance: governance?.key)
            if let cached = cache.load(key) { return cached }
            cacheKey = key
        }

        // Manifests first (few and small): they declare categories and the default timeout.
        var categories = CategoryInfo.builtIn
        var defaultTimeout: Double?
        var upstream: String?
        var digests: [(String, [UInt8])] = []
        for file in files where file.isManifest {
            let parsed = CatalogLoader.parse(file, yaml: yaml)
            digests.append((file.relative, parsed.digest))
            issues += parsed.problems
            let manifest = ManifestDecoder.decode(parsed)
            issues += manifest.issues
            for category in manifest.categories where !categories.contains(where: { $0.id == category.id }) {
                categories.append(category)
            }
            if let timeout = manifest.timeout { defaultTimeout = timeout }
            if let pin = manifest.upstream { upstream = pin }
        }

        // Parsed by the first check that names a framework, and only then: a catalog without governance never
        // pays for the built-in frameworks.
        let frameworks = governance.map(LazyGovernance.init)

        // Then the check files: each worker reads, hashes, parses and decodes a contiguous run of files and
        // keeps only the checks, so node trees never pile up.
        let categoryIDs = Set(categories.map(\.id))
        let defaults = DefaultExpectations(registry: registry, yaml: yaml)
        let checkFiles = files.filter { !$0.isManifest }
        let workers = max(1, min(CatalogLoader.processorCount(), checkFiles.count))
        let chunk = max(1, (checkFiles.count + workers - 1) / workers)
        let decoded = await withTaskGroup(of: (Int, [DecodedFile]).self) { group in
            for (part, start) in stride(from: 0, to: checkFiles.count, by: chunk).enumerated() {
                let slice = checkFiles[start..<min(start + chunk, checkFiles.count)]
                group.addTask { [registry, frameworks, yaml] in
                    (part, slice.map { file in
                        let parsed = CatalogLoader.parse(file, yaml: yaml)
                        var decoder = CheckDecoder(file: file.display, registry: registry, categories: categoryIDs, defaultExpectations: defaults)
                        decoder.governance = frameworks
                        var checks: [Check] = []
                        for document in parsed.documents { checks += decoder.decodeDocument(document) }
                        return DecodedFile(relative: file.relative, digest: parsed.digest, checks: checks, issues: parsed.problems + decoder.issues)
                    })
                }
            }
            var parts: [(Int, [DecodedFile])] = []
            for await part in group { parts.append(part) }
            return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
        var checks: [Check] = []
        for file in decoded {
            checks += file.checks
            issues += file.issues
            digests.append((file.relative, file.digest))
        }

        issues += frameworks?.issues ?? []
        issues += CatalogLoader.crossCheck(checks)
        if !issues.isEmpty {
            throw CatalogError(issues: issues.sorted { ($0.file, $0.mark) < ($1.file, $1.mark) })
        }
        var catalog = Catalog(
            checks: checks, files: files.map(\.display), digest: CatalogLoader.digest(digests),
            categories: categories, defaultTimeout: defaultTimeout, upstream: upstream)
        catalog.frameworks = frameworks?.loaded?.frameworks.map(\.reference) ?? []
        if let cache, let cacheKey { cache.store(catalog, key: cacheKey) }
        return catalog
    }

    // MARK: - Cross-file rules

    static func crossCheck(_ checks: [Check]) -> [CatalogIssue] {
        var issues: [CatalogIssue] = []
        var byID: [String: Check] = [:]
        for check in checks {
            if let first = byID[check.id] {
                issues.append(CatalogIssue(
                    file: check.location.file, mark: check.location.mark, checkID: check.id,
                    message: "duplicate check id '\(check.id)' (first defined at \(first.location))"))
            } else {
                byID[check.id] = check
            }
        }
        for check in checks {
            for required in check.requires where byID[required] == nil || required == check.id {
                let message = required == check.id ? "check requires itself" : "requires unknown check '\(required)'"
                let candidates = byID.keys.filter { $0 != check.id }
                let hint = required == check.id ? nil : Suggest.closest(to: required, in: candidates).map { "did you mean '\($0)'?" }
                issues.append(CatalogIssue(file: check.location.file, mark: check.location.mark, checkID: check.id, message: message, hint: hint))
            }
        }
        // Cycles in `requires` (depth-first, colouring).
        var state: [String: Int] = [:]  // 1 = on the path, 2 = done
        func visit(_ id: String, path: [String]) {
            guard let check = byID[id] else { return }
            state[id] = 1
            for next in check.requires where next != id {
                if state[next] == 1 {
                    let cycle = (path + [id]).drop { $0 != next } + [next]
                    issues.append(CatalogIssue(
                        file: check.location.file, mark: check.location.mark, checkID: id,
                        message: "requires forms a cycle: " + cycle.joined(separator: " → ")))
                } else if state[next] == nil {
                    visit(next, path: path + [id])
                }
            }
            state[id] = 2
        }
        for check in checks where state[check.id] == nil { visit(check.id, path: []) }
        return issues
    }

    // MARK: - Files

    /// What identifies each file's current content without reading it: device, inode, size, and modification
    /// and change times in nanoseconds. Any write changes the ctime, which only the kernel sets. nil when a
    /// file cannot be examined (the normal load then reports it).
    static func stamps(_ files: [CatalogFile]) -> [(display: String, stamp: [UInt8])]? {
        var out: [(display: String, stamp: [UInt8])] = []
        out.reserveCapacity(files.count)
        for file in files {
            guard let stamp = stamp(file.path) else { return nil }
            out.append((file.display, stamp))
        }
        return out
    }

    /// A file's device, inode, size, modification and change time: what any write changes.
    static func stamp(_ path: String) -> [UInt8]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        var stamp: [UInt8] = []
        for field in [UInt64(info.st_dev), UInt64(info.st_ino), UInt64(info.st_size),
                      UInt64(info.st_mtim.tv_sec), UInt64(info.st_mtim.tv_nsec), UInt64(info.st_ctim.tv_sec), UInt64(info.st_ctim.tv_nsec)] {
            withUnsafeBytes(of: field.littleEndian) { stamp.append(contentsOf: $0) }
        }
        return stamp
    }

    struct CatalogFile: Sendable {
        var path: String
        var display: String
        var relative: String
        var isManifest: Bool
    }

    struct ParsedFile: Sendable {
        var file: CatalogFile
        /// SHA-256 of the file's bytes.
        var digest: [UInt8]
        var documents: [YAMLNode]
        var problems: [CatalogIssue]
    }

    struct DecodedFile: Sendable {
        var relative: String
        var digest: [UInt8]
        var checks: [Check]
        var issues: [CatalogIssue]
    }

    static func parse(_ file: CatalogFile, yaml: any YAMLParsing) -> ParsedFile {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(file.path)
        } catch {
            let issue = CatalogIssue(file: file.display, mark: SourceMark(line: 1, column: 1), message: "cannot read: \(error.message)")
            return ParsedFile(file: file, digest: [], documents: [], problems: [issue])
        }
        let (documents, problems) = bytes.withUnsafeBufferPointer { yaml.read($0) }
        let issues = problems.map { CatalogIssue(file: file.display, mark: $0.mark, message: $0.message) }
        return ParsedFile(file: file, digest: Array(SHA256.hash(data: bytes)), documents: documents, problems: issues)
    }

    /// Lists the catalog files under `path` (or `path` itself), sorted.
    static func discover(_ path: String) throws(CatalogIssue) -> [CatalogFile] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CatalogIssue(file: path, mark: SourceMark(line: 1, column: 1), message: "catalog path does not exist")
        }
        if info.st_mode & S_IFMT != S_IFDIR {
            let name = path.split(separator: "/").last.map(String.init) ?? path
            return [CatalogFile(path: path, display: path, relative: name, isManifest: name == manifestName)]
        }
        var found: [CatalogFile] = []
        var pending: [String] = [""]
        let root = path.hasSuffix("/") ? String(path.dropLast()) : path
        while let relativeDir = pending.popLast() {
            let dirPath = relativeDir.isEmpty ? root : root + "/" + relativeDir
            for entry in DirectoryEntries.list(dirPath) where !entry.name.hasPrefix(".") {
                let name = entry.name
                let relative = relativeDir.isEmpty ? name : relativeDir + "/" + name
                let full = root + "/" + relative
                // A symlink counts as what it points to; one that points nowhere is left out.
                var isDirectory = entry.kind == .directory
                if entry.kind == .symlink {
                    var target = stat()
                    guard stat(full, &target) == 0 else { continue }
                    isDirectory = target.st_mode & S_IFMT == S_IFDIR
                }
                if isDirectory {
                    pending.append(relative)
                } else if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                    found.append(CatalogFile(path: full, display: full, relative: relative, isManifest: name == manifestName))
                }
            }
        }
        return found.sorted { $0.relative < $1.relative }
    }

    /// SHA-256 over each file's relative path, a NUL, and the file's own SHA-256, in path order.
    static func digest(_ files: [(String, [UInt8])]) -> String {
        var hasher = SHA256()
        for (relative, digest) in files.sorted(by: { $0.0 < $1.0 }) {
            hasher.update(data: Array(relative.utf8) + [0])
            hasher.update(data: digest)
        }
        return Hex.encode(hasher.finalize())
    }

    static func processorCount() -> Int {
        Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}
