#if canImport(Glibc)
import Glibc
#endif
import Synchronization

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
