#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Compliance frameworks and their controls, from `governance/*.yaml` (one file per framework; see
/// `schemas/governance.schema.json`). Checks cite control IDs; this is what those IDs mean.
public struct GovernanceControl: Sendable {
    public var id: String
    public var title: String
    /// STIG only: `high`, `medium`, `low` (CAT I, II, III).
    public var severity: String?
    /// STIG only: the STIG or SRG requirement ID (`APSC-DV-003110`).
    public var stigID: String?
    public var parent: String?
    /// STIG only: the NIST SP 800-53 controls the rule derives from (via its CCIs), as `nist-800-53` IDs.
    public var nist: [String] = []

    /// "CAT I" for a STIG severity.
    public var category: String? {
        switch severity {
        case "high": "CAT I"
        case "medium": "CAT II"
        case "low": "CAT III"
        default: nil
        }
    }
}

public struct GovernanceFrameworkInfo: Sendable {
    public var id: String
    public var aliases: [String]
    public var name: String
    public var publisher: String
    public var version: String
    public var controls: [GovernanceControl]
    public var file: String

    /// Where the list of controls comes from (document, release, and the snapshot it was generated from).
    public var source: String = ""

    public func control(_ id: String) -> GovernanceControl? {
        if index.isEmpty { return controls.first { $0.id == id } }
        return index[id].map { controls[$0] }
    }

    /// Control IDs to positions, built once (frameworks hold up to a few thousand controls).
    var index: [String: Int] = [:]

    init(id: String, aliases: [String], name: String, publisher: String, version: String, controls: [GovernanceControl], file: String, source: String) {
        self.id = id
        self.aliases = aliases
        self.name = name
        self.publisher = publisher
        self.version = version
        self.controls = controls
        self.file = file
        self.source = source
        var index: [String: Int] = [:]
        index.reserveCapacity(controls.count)
        for (position, control) in controls.enumerated() where index[control.id] == nil { index[control.id] = position }
        self.index = index
    }

    /// What a compiled catalog keeps of it.
    public var reference: FrameworkRef { FrameworkRef(id: id, aliases: aliases, name: name, version: version) }
}

/// Every framework of a `governance/` directory.
public struct GovernanceCatalog: Sendable {
    public var frameworks: [GovernanceFrameworkInfo]

    public init(frameworks: [GovernanceFrameworkInfo] = []) {
        self.frameworks = frameworks
    }

    public func framework(_ id: String) -> GovernanceFrameworkInfo? {
        let lowered = id.lowercased()
        return frameworks.first { $0.id == lowered || $0.aliases.contains(lowered) }
    }

    /// Loads every `*.yaml` of `directory`. Problems carry file:line:col.
    public static func load(directory: String, yaml: any YAMLParsing) throws(CatalogError) -> GovernanceCatalog {
        var issues: [CatalogIssue] = []
        let frameworks = read(directory: directory, yaml: yaml, issues: &issues)
        if !issues.isEmpty { throw CatalogError(issues: issues) }
        return GovernanceCatalog(frameworks: frameworks)
    }

    /// The frameworks of a directory's files, but for those `skipping` says are known already (by name and
    /// bytes); a framework defined twice among them is an issue.
    static func read(
        directory: String, yaml: any YAMLParsing, skipping: (String, [UInt8]) -> Bool = { _, _ in false }, issues: inout [CatalogIssue]
    ) -> [GovernanceFrameworkInfo] {
        var frameworks: [GovernanceFrameworkInfo] = []
        for name in GovernanceCatalog.files(directory) {
            let path = directory + "/" + name
            do {
                let bytes = try FileBytes.read(path, limit: 64 << 20)
                if skipping(name, bytes) { continue }
                frameworks += parse(bytes, file: path, yaml: yaml, issues: &issues)
            } catch {
                issues.append(CatalogIssue(file: path, mark: SourceMark(line: 1, column: 1), message: "cannot read: \(error.message)"))
            }
        }
        var seen: Set<String> = []
        for framework in frameworks where !seen.insert(framework.id).inserted {
            issues.append(CatalogIssue(file: framework.file, mark: SourceMark(line: 1, column: 1), message: "framework '\(framework.id)' is defined twice"))
        }
        return frameworks
    }

    /// The frameworks of one framework file's text.
    public static func parse(_ bytes: [UInt8], file: String, yaml: any YAMLParsing, issues: inout [CatalogIssue]) -> [GovernanceFrameworkInfo] {
        let (documents, problems) = bytes.withUnsafeBufferPointer { yaml.read($0) }
        issues += problems.map { CatalogIssue(file: file, mark: $0.mark, message: $0.message) }
        return documents.compactMap { decode($0, file: file, issues: &issues) }
    }

    /// The `*.yaml` / `*.yml` files of a governance directory, sorted.
    static func files(_ directory: String) -> [String] {
        GovernanceCatalog.entries(directory).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
    }

    static func entries(_ directory: String) -> [String] {
        DirectoryEntries.list(directory).map(\.name).filter { !$0.hasPrefix(".") }
    }

    static func decode(_ node: YAMLNode, file: String, issues: inout [CatalogIssue]) -> GovernanceFrameworkInfo? {
        func issue(_ mark: SourceMark, _ message: String) { issues.append(CatalogIssue(file: file, mark: mark, message: message)) }
        func text(_ node: YAMLNode?) -> String? {
            if case .scalar(let scalar)? = node, !scalar.isNull { return scalar.text }
            return nil
        }
        func member(_ pairs: [YAMLPair], _ key: String) -> YAMLNode? { pairs.first { $0.key.text == key }?.value }
        guard case .mapping(let top, let mark) = node else {
            issue(node.mark, "a framework file is a mapping with 'schema', 'framework' and 'controls'")
            return nil
        }
        guard text(member(top, "schema")) == "1" else {
            issue(mark, "unsupported or missing 'schema' (expected 1)")
            return nil
        }
        guard case .mapping(let fields, let frameworkMark)? = member(top, "framework") else {
            issue(mark, "missing 'framework' mapping")
            return nil
        }
        guard let id = text(member(fields, "id")), let name = text(member(fields, "name")) else {
            issue(frameworkMark, "framework needs 'id' and 'name'")
            return nil
        }
        var aliases: [String] = []
        if case .sequence(let items, _)? = member(fields, "aliases") { aliases = items.compactMap { text($0)?.lowercased() } }
        guard case .sequence(let items, let controlsMark)? = member(top, "controls") else {
            issue(mark, "missing 'controls' list")
            return nil
        }
        var controls: [GovernanceControl] = []
        var ids: Set<String> = []
        for item in items {
            guard case .mapping(let pairs, let itemMark) = item, let controlID = text(member(pairs, "id")), let title = text(member(pairs, "title")) else {
                issue(item.mark, "a control needs 'id' and 'title'")
                continue
            }
            if !ids.insert(controlID).inserted { issue(itemMark, "control '\(controlID)' is listed twice") }
            let severity = text(member(pairs, "severity"))
            if let severity, !["high", "medium", "low"].contains(severity) {
                issue(itemMark, "control '\(controlID)': severity must be high, medium or low")
            }
            var nist: [String] = []
            if case .sequence(let entries, _)? = member(pairs, "nist") { nist = entries.compactMap { text($0) } }
            controls.append(GovernanceControl(
                id: controlID, title: title, severity: severity, stigID: text(member(pairs, "stig_id")), parent: text(member(pairs, "parent")), nist: nist))
        }
        if controls.isEmpty { issue(controlsMark, "framework '\(id)' lists no controls") }
        return GovernanceFrameworkInfo(
            id: id.lowercased(), aliases: aliases, name: name, publisher: text(member(fields, "publisher")) ?? "",
            version: text(member(fields, "version")) ?? "", controls: controls, file: file, source: text(member(fields, "source")) ?? "")
    }
}

extension GovernanceCatalog {
    /// One check's evidence for a control: the check, and the control of another framework it cites when
    /// the evidence is derived (a STIG rule's NIST SP 800-53 control: `via` is the rule's V-ID).
    public struct Evidence: Sendable, Hashable {
        public var check: String
        public var via: String?
    }

    /// For each control of `framework`, the checks that give evidence for it: those citing it, and for
    /// `nist-800-53` also those citing a STIG rule derived from it.
    public func evidence(for framework: GovernanceFrameworkInfo, checks: [Check]) -> [String: [Evidence]] {
        var out: [String: [Evidence]] = [:]
        for check in checks {
            for control in check.controls(for: framework.id) where !(out[control]?.contains { $0.check == check.id } ?? false) {
                out[control, default: []].append(Evidence(check: check.id, via: nil))
            }
        }
        if framework.id == "nist-800-53", let stig = self.framework("stig") {
            for check in checks {
                for rule in check.controls(for: stig.id) {
                    for control in stig.control(rule)?.nist ?? [] where !(out[control]?.contains { $0.check == check.id } ?? false) {
                        out[control, default: []].append(Evidence(check: check.id, via: rule))
                    }
                }
            }
        }
        return out
    }
}

/// One framework file built into doctor: its YAML, and an index of what validating a catalog needs (the
/// framework's id, aliases, name, version and control IDs), both generated from `governance/`.
public struct BuiltInFramework: Sendable {
    public var name: String
    public var text: String
    /// `id<TAB>aliases,…<TAB>name<TAB>version` on the first line, then one control ID per line.
    public var index: String

    public init(name: String, text: String, index: String) {
        self.name = name
        self.text = text
        self.index = index
    }

    /// The index of a file's frameworks, as `BuiltInFramework.index` holds it (frameworks apart by U+001E).
    public static func index(of frameworks: [GovernanceFrameworkInfo]) -> String {
        frameworks.map(index(of:)).joined(separator: "\u{1E}")
    }

    static func index(of framework: GovernanceFrameworkInfo) -> String {
        let header = [framework.id, framework.aliases.joined(separator: ","), framework.name, framework.version]
        for field in header + framework.controls.map(\.id) {
            precondition(!field.contains("\t") && !field.contains("\n"), "a tab or newline in '\(field)'")
        }
        return ([header.joined(separator: "\t")] + framework.controls.map(\.id)).joined(separator: "\n")
    }

    /// The frameworks of an index: controls with their IDs only (titles are the YAML's).
    func frameworks() -> [GovernanceFrameworkInfo] {
        index.split(separator: "\u{1E}", omittingEmptySubsequences: true).compactMap { part in
            let lines = part.split(separator: "\n", omittingEmptySubsequences: true)
            guard let first = lines.first else { return nil }
            let header = first.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard header.count == 4 else { return nil }
            let controls = lines.dropFirst().map { GovernanceControl(id: String($0), title: "") }
            return GovernanceFrameworkInfo(
                id: header[0], aliases: header[1].split(separator: ",").map(String.init), name: header[2], publisher: "",
                version: header[3], controls: controls, file: "<built-in governance/\(name)>", source: "")
        }
    }
}

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

/// A governance source parsed on first use, once, by whichever decoding worker needs it first.
final class LazyGovernance: Sendable {
    let source: GovernanceSource
    private let state = Mutex<Result<GovernanceCatalog, CatalogError>?>(nil)

    init(_ source: GovernanceSource) {
        self.source = source
    }

    /// The frameworks; nil when they did not load (`issues` says why).
    var value: GovernanceCatalog? {
        let result = state.withLock { state in
            if let state { return state }
            let loaded: Result<GovernanceCatalog, CatalogError>
            do throws(CatalogError) {
                loaded = .success(try source.loadIDs())
            } catch {
                loaded = .failure(error)
            }
            state = loaded
            return loaded
        }
        if case .success(let catalog) = result { return catalog }
        return nil
    }

    /// The frameworks if something asked for them.
    var loaded: GovernanceCatalog? {
        state.withLock { state in
            if case .success(let catalog)? = state { return catalog }
            return nil
        }
    }

    /// Problems of the framework files, if they were read.
    var issues: [CatalogIssue] {
        state.withLock { state in
            if case .failure(let error)? = state { return error.issues }
            return []
        }
    }
}
