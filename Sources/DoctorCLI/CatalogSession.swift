import ArgumentParser
import DoctorCore
import DoctorYAML
import Foundation

/// Loading a catalog for a command: variables, location, strict load, and the exit codes for trouble.
struct CatalogSession {
    var catalog: Catalog
    var variables: Variables
    var paths: [String]
    /// The frameworks control IDs were checked against: built in, plus a governance directory's. Parsed only
    /// for the commands that show governance (`withGovernance`); empty otherwise.
    var governance = GovernanceCatalog()

    /// Loads the catalog; prints every issue and exits 65 when it is invalid, 64 on usage problems.
    static func open(_ options: CatalogOptions, extraPaths: [String] = [], withGovernance: Bool = false) async throws -> CatalogSession {
        let variables: Variables
        let paths: [String]
        do {
            variables = try Environment.variables(explicit: options.vars, files: options.varsFiles)
            paths = try Environment.catalogPaths(extraPaths.isEmpty ? options.catalogs : extraPaths)
        } catch let error as UsageError {
            Console.err("doctor: \(error.description)")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        do throws(CatalogError) {
            let source = CatalogSession.governanceSource(paths)
            let catalog = try await CatalogLoader(registry: Toolbox.current.probes).load(paths: paths, cache: options.cache, governance: source)
            let governance = withGovernance ? try source.load() : GovernanceCatalog()
            return CatalogSession(catalog: catalog, variables: variables, paths: paths, governance: governance)
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
            variables: variables, frameworks: Set(selection.governance))
    }

    /// The report of one run of this catalog.
    func report(selection: Selection, host: String, startedAt: Double, outcome: Runner.Outcome) -> RunReport {
        RunReport(
            toolVersion: DoctorVersion.current, catalogDigest: catalog.digest, host: host, startedAt: startedAt,
            finishedAt: Date().timeIntervalSince1970, selection: selection, results: outcome.results,
            categories: catalog.categories, incomplete: outcome.stop != nil, incompleteReason: outcome.stop?.text)
    }

    /// The built-in frameworks, and the governance directory that adds to or replaces them.
    static func governanceSource(_ catalogPaths: [String]) -> GovernanceSource {
        GovernanceSource(builtIn: BuiltInGovernance.files, builtInDigest: BuiltInGovernance.digest, directory: governanceDirectory(catalogPaths), yaml: LibYAML())
    }

    /// `$DOCTOR_GOVERNANCE`, else a `governance/` beside a catalog directory (`checks/../governance`), else the
    /// installed one; nil when there is none (the built-in frameworks alone then apply).
    static func governanceDirectory(_ catalogPaths: [String]) -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["DOCTOR_GOVERNANCE"], !explicit.isEmpty { return explicit }
        var candidates: [String] = []
        for path in catalogPaths {
            let url = URL(fileURLWithPath: path)
            candidates.append(url.deletingLastPathComponent().appendingPathComponent("governance").path)
            candidates.append(url.appendingPathComponent("governance").path)
        }
        candidates += ["/etc/doctor/governance", "/usr/local/share/doctor/governance", "/usr/share/doctor/governance"]
        var isDirectory: ObjCBool = false
        return candidates.first { FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue }
    }
}

/// Writes command output to standard output or, atomically, to a file.
enum OutputSink {
    static func write(_ text: String, to path: String?) throws {
        try write(to: path) { emit in emit(text) }
    }

    /// Streams what `produce` emits to standard output, or to a temporary file renamed over `path` at the end.
    static func write(to path: String?, _ produce: ((String) -> Void) -> Void) throws {
        guard let path else {
            produce { Console.out($0) }
            return
        }
        do {
            let writer = try AtomicFile.Writer(path: path)
            var failure: AtomicFile.Failure?
            produce { piece in
                guard failure == nil else { return }
                do throws(AtomicFile.Failure) { try writer.write(piece) } catch { failure = error }
            }
            if let failure { throw failure }
            try writer.commit()
        } catch let error as AtomicFile.Failure {
            Console.err("doctor: \(error.description)")
            throw ExitCode(ExitStatus.cannotWrite.rawValue)
        }
    }
}
