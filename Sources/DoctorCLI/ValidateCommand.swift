import ArgumentParser
import DoctorCore
import DoctorProbes
#if canImport(Glibc)
import Glibc
#endif

/// `doctor validate [PATH…]`: load a catalog strictly and report every issue (exit 65 when there is one).
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check a catalog and report every problem with file:line:col (exit 65 when invalid).")

    @OptionGroup var catalogOptions: CatalogOptions

    @Argument(help: "Catalog directories or files (default: as for run).")
    var paths: [String] = []

    @Flag(help: "Print nothing when the catalog is valid.")
    var quiet = false

    func run() async throws {
        let session = try await CatalogSession.open(catalogOptions, extraPaths: paths)
        // A catalog with exec checks runs programs: it is checked as code is (owner, who may write).
        let problems = session.opener.trustProblems(session.catalog, running: session.catalog.checks)
        if !problems.isEmpty {
            Console.err("doctor: this catalog has exec checks and cannot be trusted to run them:\n" + problems.map { "  \($0)" }.joined(separator: "\n"))
            throw ExitCode(ExitStatus.invalidCatalog.rawValue)
        }
        // Names that are not on this host: valid (the catalog may be for another host), but worth a look.
        for warning in ValidateCommand.unknownPrincipals(session.catalog.checks) { Console.err(warning) }
        if !quiet {
            let catalog = session.catalog
            let files = catalog.files.count
            Console.out("catalog valid: \(catalog.checks.count) checks in \(files) file\(files == 1 ? "" : "s") (digest \(catalog.digest.prefix(12)))\n")
        }
    }

    /// A warning for each literal user or group name an expectation names that this host does not know
    /// (`owner: rooot`): `file:line:col: warning: [id] …`. Names held in variables are looked up at run time.
    static func unknownPrincipals(_ checks: [Check]) -> [String] {
        var warnings: [String] = []
        var users: [String]?, groups: [String]?
        for check in checks {
            for expectation in check.expectations + check.governanceExpectations.flatMap(\.expectations) where expectation.type == .principal {
                let isGroup = expectation.observation.contains("group") || expectation.observation.hasSuffix("gid")
                for condition in expectation.must + expectation.warnIf + expectation.failIf {
                    let names: [String]
                    switch condition.operand {
                    case .value(.string(let name)): names = [name]
                    case .value(.list(let items)): names = items.compactMap(\.asString)
                    default: names = []
                    }
                    for name in names {
                        let known = isGroup ? getgrnam(name) != nil : getpwnam(name) != nil
                        guard !known else { continue }
                        let candidates: [String]
                        if isGroup {
                            if groups == nil { groups = ValidateCommand.entries(group: true) }
                            candidates = groups ?? []
                        } else {
                            if users == nil { users = ValidateCommand.entries(group: false) }
                            candidates = users ?? []
                        }
                        let hint = Suggest.closest(to: name, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
                        warnings.append("\(check.location.file):\(condition.mark.line):\(condition.mark.column): warning: [\(check.id)] no \(isGroup ? "group" : "user") '\(name)' on this host; \(expectation.observation) will not match it here\(hint)")
                    }
                }
            }
        }
        return warnings
    }

    /// Every user (or group) name this host's databases enumerate.
    static func entries(group: Bool) -> [String] {
        var names: [String] = []
        if group {
            setgrent()
            while let entry = getgrent() { names.append(String(cString: entry.pointee.gr_name)) }
            endgrent()
        } else {
            setpwent()
            while let entry = getpwent() { names.append(String(cString: entry.pointee.pw_name)) }
            endpwent()
        }
        return names
    }
}
