import ArgumentParser
import DoctorCore

/// Which checks: the same for `run` and `list`.
struct SelectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only checks tagged with a control of this framework: stig, pci-dss, soc2, nist-800-53, or any a governance directory adds; aliases such as pci work (repeatable; union).", valueName: "framework"))
    var governance: [String] = []

    @Option(help: ArgumentHelp("Only checks of this category (repeatable).", valueName: "category"))
    var category: [String] = []

    @Option(help: ArgumentHelp("Only checks of at least this severity: info, low, medium, high, critical.", valueName: "level"))
    var severity: Severity?

    @Option(help: ArgumentHelp("Only checks whose id matches (an id or a glob such as 'ipc-*'; repeatable).", valueName: "id-or-glob"))
    var check: [String] = []

    @Option(help: ArgumentHelp("Leave out checks whose id matches (repeatable).", valueName: "id-or-glob"))
    var skip: [String] = []

    @Option(help: ArgumentHelp("Only checks with this tag (repeatable).", valueName: "tag"))
    var tag: [String] = []

    var selection: Selection {
        Selection(
            governance: governance.map { $0.lowercased() }, categories: category, minimumSeverity: severity, checks: check,
            skip: skip, tags: tag)
    }

    /// Every selector must select something: an unknown category, a `--check` or `--skip` that matches no
    /// check id, a `--tag` no check carries, a framework no check cites, or a selection that leaves nothing to
    /// run is a usage error (64, with a did-you-mean), never an empty run that exits 0.
    func validate(against catalog: Catalog) throws {
        let known = catalog.categories.map(\.id)
        for name in category where !known.contains(name) {
            let hint = Suggest.closest(to: name, in: known).map { " (did you mean '\($0)'?)" } ?? ""
            throw UsageError("unknown category '\(name)'\(hint); known: \(known.joined(separator: ", "))")
        }
        let ids = catalog.checks.map(\.id)
        for (flag, patterns) in [("--check", check), ("--skip", skip)] {
            for pattern in patterns where !ids.contains(where: { Glob.matches(pattern, $0) }) {
                let hint = Suggest.closest(to: pattern, in: ids).map { " (did you mean '\($0)'?)" } ?? ""
                throw UsageError("\(flag) '\(pattern)' matches no check in the catalog\(hint)")
            }
        }
        let tags = Set(catalog.checks.flatMap(\.tags))
        for name in tag where !tags.contains(name) {
            let hint = Suggest.closest(to: name, in: tags).map { " (did you mean '\($0)'?)" } ?? ""
            throw UsageError("no check carries the tag '\(name)'\(hint)")
        }
        for name in category where !catalog.checks.contains(where: { $0.category == name }) {
            throw UsageError("the category '\(name)' has no checks in this catalog")
        }
        let resolved = try frameworks(in: catalog)
        for framework in resolved where !catalog.checks.contains(where: { !$0.controls(for: framework).isEmpty }) {
            throw UsageError("no check in the catalog cites a \(framework) control")
        }
        var selection = self.selection
        selection.governance = resolved
        if !catalog.checks.contains(where: selection.matches) {
            throw UsageError("the selection matches no check (each selector matches some, but not together)")
        }
    }

    /// The selection with `--governance` names resolved to framework ids (after `validate(against:)`).
    func resolved(in catalog: Catalog) -> Selection {
        var selection = self.selection
        selection.governance = (try? frameworks(in: catalog)) ?? selection.governance
        return selection
    }

    /// The `--governance` names as framework ids: each may be an id or an alias the catalog's governance
    /// declares (`pci`, `pcidss`).
    func frameworks(in catalog: Catalog) throws -> [String] {
        try governance.map { name in
            if let id = catalog.frameworkID(name) { return id }
            if catalog.frameworks.isEmpty { throw UsageError("--governance \(name): no check in the catalog cites any governance framework") }
            throw UsageError(SelectionOptions.unknownFramework(name, catalog.frameworks.map { ($0.id, $0.aliases) }))
        }
    }

    /// "unknown framework 'hipaa' (did you mean …); known: …", for every command that takes a framework name.
    static func unknownFramework(_ name: String, _ frameworks: [(id: String, aliases: [String])]) -> String {
        let names = frameworks.flatMap { [$0.id] + $0.aliases }
        let hint = Suggest.closest(to: name.lowercased(), in: names).map { " (did you mean '\($0)'?)" } ?? ""
        return "unknown framework '\(name)'\(hint); known: \(frameworks.map(\.id).joined(separator: ", "))"
    }
}
