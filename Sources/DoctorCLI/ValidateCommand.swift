import ArgumentParser
import DoctorCore
import DoctorProbes

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
        if CatalogTrust.runsPrograms(session.catalog.checks) {
            let problems = CatalogTrust.problems(files: session.catalog.files)
            if !problems.isEmpty {
                Console.err("doctor: this catalog has exec checks and cannot be trusted to run them:\n" + problems.map { "  \($0)" }.joined(separator: "\n"))
                throw ExitCode(ExitStatus.invalidCatalog.rawValue)
            }
        }
        if !quiet {
            let catalog = session.catalog
            let files = catalog.files.count
            Console.out("catalog valid: \(catalog.checks.count) checks in \(files) file\(files == 1 ? "" : "s") (digest \(catalog.digest.prefix(12)))\n")
        }
    }
}
