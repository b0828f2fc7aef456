#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens a catalog as `doctor` does, for any program that embeds the library (the CLI, `serve`, extension
/// packages): the run's variables (built-ins, the process environment, vars files), the governance frameworks
/// the control IDs are checked against (the built-in ones and a governance directory), the strict load through
/// the compiled-catalog cache, and the trust rule for catalogs whose checks run programs.
public struct CatalogOpener: Sendable {
    public var registry: ProbeRegistry
    public var yaml: any YAMLParsing
    /// The compiled-catalog cache; nil loads from YAML every time.
    public var cache: CatalogCache?
    /// The process environment: variables, `DOCTOR_GOVERNANCE`.
    public var environment: [String: String]

    public init(registry: ProbeRegistry, yaml: any YAMLParsing, cache: CatalogCache? = nil, environment: [String: String]) {
        self.registry = registry
        self.yaml = yaml
        self.cache = cache
        self.environment = environment
    }

    /// The catalog at `paths`, validated against the probes and the governance frameworks.
    public func open(paths: [String]) async throws(CatalogError) -> Catalog {
        try await CatalogLoader(registry: registry, yaml: yaml).load(paths: paths, cache: cache, governance: governance(for: paths))
    }

    /// The built-in frameworks, and the governance directory that adds to or replaces them.
    public func governance(for catalogPaths: [String]) -> GovernanceSource {
        GovernanceSource(builtIn: BuiltInGovernance.files, builtInDigest: BuiltInGovernance.digest, directory: governanceDirectory(for: catalogPaths), yaml: yaml)
    }

    /// `$DOCTOR_GOVERNANCE`, else a `governance/` beside a catalog directory (`checks/../governance`) or in it,
    /// else the installed one; nil when there is none (the built-in frameworks alone then apply).
    public func governanceDirectory(for catalogPaths: [String]) -> String? {
        if let explicit = environment["DOCTOR_GOVERNANCE"], !explicit.isEmpty { return explicit }
        var candidates: [String] = []
        for path in catalogPaths {
            let absolute = CatalogTrust.absolute(path)
            candidates.append(CatalogTrust.parent(absolute) + "/governance")
            candidates.append((absolute == "/" ? "" : absolute) + "/governance")
        }
        candidates += ["/etc/doctor/governance", "/usr/local/share/doctor/governance", "/usr/share/doctor/governance"]
        return candidates.first { candidate in
            var info = stat()
            return stat(candidate, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
        }
    }

    /// The variables of a run: `overrides` over the vars files (in order) over the built-ins (`UID`, `GID`,
    /// `HOSTNAME`, and `USER` and `HOME` when the environment lacks them) over the process environment.
    public func variables(files: [String] = [], overrides: [(String, String)] = []) throws(VariablesError) -> Variables {
        var values = environment
        let uid = geteuid(), gid = getegid()
        values["UID"] = String(uid)
        values["GID"] = String(gid)
        if let entry = getpwuid(uid) {
            if (values["USER"] ?? "").isEmpty { values["USER"] = String(cString: entry.pointee.pw_name) }
            if (values["HOME"] ?? "").isEmpty { values["HOME"] = String(cString: entry.pointee.pw_dir) }
        }
        values["HOSTNAME"] = CatalogOpener.hostName()
        for file in files {
            for (key, value) in try varsFile(file) { values[key] = value }
        }
        for (name, value) in overrides { values[name] = value }
        return Variables(values)
    }

    /// A vars file: a YAML mapping of names to scalar values.
    public func varsFile(_ path: String) throws(VariablesError) -> [(String, String)] {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path)
        } catch {
            throw VariablesError("cannot read vars file \(path): \(error.message)")
        }
        let (documents, problems) = bytes.withUnsafeBufferPointer { yaml.read($0) }
        if let problem = problems.first { throw VariablesError("\(path):\(problem.mark): \(problem.message)") }
        var out: [(String, String)] = []
        for document in documents {
            guard case .mapping(let pairs, _) = document else {
                throw VariablesError("\(path):\(document.mark): a vars file is a mapping of NAME: value")
            }
            for pair in pairs {
                guard case .scalar(let scalar) = pair.value else {
                    throw VariablesError("\(path):\(pair.value.mark): the value of '\(pair.key.text)' must be a single value")
                }
                out.append((pair.key.text, scalar.isNull ? "" : scalar.text))
            }
        }
        return out
    }

    /// Why `checks` of `catalog` may not run: when one of them runs programs (`ProgramRunningProbe`), each
    /// problem of the catalog's files (`CatalogTrust`); empty when nothing runs programs or the files are trusted.
    public func trustProblems(_ catalog: Catalog, running checks: some Sequence<Check>) -> [String] {
        guard CatalogTrust.runsPrograms(checks, registry: registry) else { return [] }
        return CatalogTrust.problems(files: catalog.files)
    }

    /// This host's name, else "localhost".
    public static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A vars file that cannot be read or is not a mapping of names to single values (a usage error for the CLI).
    public struct VariablesError: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }
}

extension CatalogOpener {
    /// This process's environment variables (`environ`; the first of a repeated name, as `getenv` reads it).
    public static func processEnvironment() -> [String: String] {
        var values: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "="), values[String(text[..<equals])] == nil {
                values[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return values
    }
}
