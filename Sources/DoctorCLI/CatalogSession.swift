import ArgumentParser
import DoctorCore
import DoctorYAML
import DoctorProbes
import Foundation

/// Loading a catalog for a command: the options, the library's `CatalogOpener` (variables, governance, strict
/// load, trust), and the exit codes for trouble.
struct CatalogSession {
    var opener: CatalogOpener
    var catalog: Catalog
    var variables: Variables
    var paths: [String]
    /// The frameworks control IDs were checked against: built in, plus a governance directory's. Parsed only
    /// for the commands that show governance (`withGovernance`); empty otherwise.
    var governance = GovernanceCatalog()

    /// Loads the catalog; prints every issue and exits 65 when it is invalid, 64 on usage problems.
    static func open(_ options: CatalogOptions, extraPaths: [String] = [], withGovernance: Bool = false) async throws -> CatalogSession {
        let opener = CatalogOpener(registry: Toolbox.current.probes, cache: options.cache)
        let variables: Variables
        let paths: [String]
        do {
            variables = try opener.variables(files: options.varsFiles, overrides: Environment.assignments(options.vars))
            paths = try Environment.catalogPaths(extraPaths.isEmpty ? options.catalogs : extraPaths)
        } catch let error as UsageError {
            Console.err("doctor: \(error.description)")
            throw ExitCode(ExitStatus.usage.rawValue)
        } catch let error as CatalogOpener.VariablesError {
            Console.err("doctor: \(error.description)")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        do throws(CatalogError) {
            let catalog = try await opener.open(paths: paths)
            let governance = withGovernance ? try opener.governance(for: paths).load() : GovernanceCatalog()
            return CatalogSession(opener: opener, catalog: catalog, variables: variables, paths: paths, governance: governance)
        } catch {
            Console.err(error.description)
            throw ExitCode(ExitStatus.invalidCatalog.rawValue)
        }
    }
}

extension CatalogSession {
    /// Loads the catalog and checks the selection against it: unknown categories are usage errors (64), not an
    /// empty run. What `run`, `serve` and `list` start with.
    static func open(_ options: CatalogOptions, selection: SelectionOptions) async throws -> CatalogSession {
        let session = try await open(options)
        do {
            try selection.validate(against: session.catalog)
        } catch let error as UsageError {
            Console.err("doctor: \(error.description)")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        return session
    }

    /// The runner's options from the command line and the catalog. The selected frameworks turn on the checks'
    /// `governance_expect` expectations.
    func runOptions(_ execution: ExecutionOptions, selection: Selection) throws -> RunOptions {
        RunOptions(
            jobs: execution.jobs ?? RunOptions.defaultJobs,
            defaultTimeout: catalog.defaultTimeout ?? 5,
            timeoutOverride: try execution.seconds(execution.timeout, "timeout"),
            deadline: try execution.seconds(execution.deadline, "deadline"),
            variables: variables, frameworks: Set(selection.governance), settings: ProbeSettings().with(execution.execPolicy))
    }

    /// The report of one run of this catalog.
    func report(selection: Selection, host: String, startedAt: Double, outcome: Runner.Outcome) -> RunReport {
        RunReport(
            toolVersion: DoctorVersion.current, catalogDigest: catalog.digest, host: host, startedAt: startedAt,
            finishedAt: Date().timeIntervalSince1970, selection: selection, results: outcome.results,
            categories: catalog.categories, incomplete: outcome.stop != nil, incompleteReason: outcome.stop?.text)
    }
}
