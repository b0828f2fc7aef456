import ArgumentParser
import DoctorCore
import Foundation

/// Loading a catalog for a command: variables, location, strict load, and the exit codes for trouble.
struct CatalogSession {
    var catalog: Catalog
    var variables: Variables
    var paths: [String]

    /// Loads the catalog; prints every issue and exits 65 when it is invalid, 64 on usage problems.
    static func open(_ options: CatalogOptions, extraPaths: [String] = []) async throws -> CatalogSession {
        let variables: Variables
        let paths: [String]
        do {
            variables = try Environment.variables(explicit: options.vars, files: options.varsFiles)
            paths = try Environment.catalogPaths(extraPaths.isEmpty ? options.catalogs : extraPaths)
        } catch let error as UsageError {
            Console.err("doctor: \(error.description)")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        do {
            let catalog = try await CatalogLoader(registry: Toolbox.current.probes).load(paths: paths, cache: options.cache)
            return CatalogSession(catalog: catalog, variables: variables, paths: paths)
        } catch {
            Console.err(error.description)
            throw ExitCode(ExitStatus.invalidCatalog.rawValue)
        }
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
