#if canImport(Glibc)
import Glibc
#endif
import Synchronization

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
