#if canImport(Glibc)
import Glibc
#endif

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

    public func control(_ id: String) -> GovernanceControl? { controls.first { $0.id == id } }
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
    public static func load(directory: String) throws(CatalogError) -> GovernanceCatalog {
        var issues: [CatalogIssue] = []
        var frameworks: [GovernanceFrameworkInfo] = []
        let names = GovernanceCatalog.entries(directory).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        for name in names {
            let path = directory + "/" + name
            let bytes: [UInt8]
            do {
                bytes = try FileBytes.read(path)
            } catch {
                issues.append(CatalogIssue(file: path, mark: SourceMark(line: 1, column: 1), message: "cannot read: \(error.message)"))
                continue
            }
            let (documents, problems) = bytes.withUnsafeBufferPointer { YAMLReader.read($0) }
            issues += problems.map { CatalogIssue(file: path, mark: $0.mark, message: $0.message) }
            for document in documents {
                if let framework = decode(document, file: path, issues: &issues) { frameworks.append(framework) }
            }
        }
        var seen: Set<String> = []
        for framework in frameworks where !seen.insert(framework.id).inserted {
            issues.append(CatalogIssue(file: framework.file, mark: SourceMark(line: 1, column: 1), message: "framework '\(framework.id)' is defined twice"))
        }
        if !issues.isEmpty { throw CatalogError(issues: issues) }
        return GovernanceCatalog(frameworks: frameworks)
    }

    static func entries(_ directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names
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
            controls.append(GovernanceControl(id: controlID, title: title, severity: severity, stigID: text(member(pairs, "stig_id")), parent: text(member(pairs, "parent"))))
        }
        if controls.isEmpty { issue(controlsMark, "framework '\(id)' lists no controls") }
        return GovernanceFrameworkInfo(
            id: id.lowercased(), aliases: aliases, name: name, publisher: text(member(fields, "publisher")) ?? "",
            version: text(member(fields, "version")) ?? "", controls: controls, file: file)
    }

    /// Checks that cite a framework or control these files do not define, at the check's location.
    public func validate(_ checks: [Check]) -> [CatalogIssue] {
        var issues: [CatalogIssue] = []
        for check in checks {
            for (frameworkID, controls) in check.governance {
                guard let framework = framework(frameworkID) else {
                    issues.append(CatalogIssue(
                        file: check.location.file, mark: check.location.mark, checkID: check.id,
                        message: "governance names framework '\(frameworkID)', which governance/ does not define"))
                    continue
                }
                for control in controls where framework.control(control) == nil {
                    let hint = Suggest.closest(to: control, in: framework.controls.map(\.id)).map { "did you mean '\($0)'?" }
                    issues.append(CatalogIssue(
                        file: check.location.file, mark: check.location.mark, checkID: check.id,
                        message: "unknown \(framework.id) control '\(control)' in governance", hint: hint))
                }
            }
        }
        return issues
    }
}
