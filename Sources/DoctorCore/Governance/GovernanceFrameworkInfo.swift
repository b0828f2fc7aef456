#if canImport(Glibc)
import Glibc
#endif
import Synchronization

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
