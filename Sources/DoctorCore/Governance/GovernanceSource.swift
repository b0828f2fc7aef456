#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Where control IDs are looked up: the frameworks built into doctor (generated from the repository's
/// `governance/`), and a directory whose framework files add frameworks or replace a built-in one with the
/// same id. Parsed only when a catalog is compiled (the compiled-catalog cache keys on `key`) or when a
/// command shows governance.
public struct GovernanceSource: Sendable {
    public var builtIn: [BuiltInFramework]
    /// A digest of the built-in texts, computed when they were generated.
    public var builtInDigest: String
    public var directory: String?
    /// What reads framework files.
    public var yaml: any YAMLParsing

    public init(builtIn: [BuiltInFramework] = [], builtInDigest: String = "", directory: String? = nil, yaml: any YAMLParsing) {
        self.builtIn = builtIn
        self.builtInDigest = builtInDigest
        self.directory = directory
        self.yaml = yaml
    }

    /// The built-in digest, and each directory file's name and stamp (as the catalog's own files are keyed).
    public var key: String {
        var text = "governance " + builtInDigest
        if let directory {
            text += "\n" + directory
            for name in GovernanceCatalog.files(directory) {
                text += "\n\(name) " + (CatalogLoader.stamp(directory + "/" + name).map(Hex.encode) ?? "missing")
            }
        }
        return text
    }

    /// Every framework, parsed whole (titles, STIG mappings): what the commands that show governance use.
    public func load() throws(CatalogError) -> GovernanceCatalog {
        var issues: [CatalogIssue] = []
        let frameworks = builtIn.flatMap { file in
            GovernanceCatalog.parse(Array(file.text.utf8), file: "<built-in governance/\(file.name)>", yaml: yaml, issues: &issues)
        }
        return try assemble(frameworks, fast: false, issues: issues)
    }

    /// Every framework with its control IDs: what validating a catalog needs. The built-in ones come from
    /// their index; a directory file is parsed only when it differs from the built-in file of its name (a
    /// checkout's or an installed `governance/` usually is the built-in one, byte for byte).
    public func loadIDs() throws(CatalogError) -> GovernanceCatalog {
        try assemble(builtIn.flatMap { $0.frameworks() }, fast: true, issues: [])
    }

    private func assemble(_ builtInFrameworks: [GovernanceFrameworkInfo], fast: Bool, issues: [CatalogIssue]) throws(CatalogError) -> GovernanceCatalog {
        var issues = issues
        var frameworks = builtInFrameworks
        if let directory {
            if let handle = opendir(directory) {
                closedir(handle)
            } else {
                issues.append(CatalogIssue(file: directory, mark: SourceMark(line: 1, column: 1), message: "cannot read the governance directory (DOCTOR_GOVERNANCE or a governance/ beside the catalog)"))
            }
            let builtIn = self.builtIn
            let added = GovernanceCatalog.read(directory: directory, yaml: yaml, skipping: { name, bytes in
                fast && builtIn.contains { $0.name == name && bytes.elementsEqual($0.text.utf8) }
            }, issues: &issues)
            let replaced = Set(added.map(\.id))
            frameworks = frameworks.filter { !replaced.contains($0.id) } + added
        }
        if !issues.isEmpty { throw CatalogError(issues: issues) }
        return GovernanceCatalog(frameworks: frameworks)
    }
}
