import ArgumentParser
import DoctorCore
import Foundation

/// Where the catalog is and which variables it sees.
struct CatalogOptions: ParsableArguments {
    @Option(name: .customLong("catalog"), help: ArgumentHelp(
        "A catalog directory or file (repeatable). Default: $DOCTOR_CATALOG, else checks/ of the checkout, else the installed catalog.",
        valueName: "dir"))
    var catalogs: [String] = []

    @Option(name: .customLong("var"), help: ArgumentHelp("Set a variable for ${NAME} references (repeatable).", valueName: "name=value"))
    var vars: [String] = []

    @Option(name: .customLong("vars-file"), help: ArgumentHelp("A YAML file of NAME: value variables (repeatable).", valueName: "file"))
    var varsFiles: [String] = []

    @Flag(name: .customLong("no-cache"), help: "Parse and validate the catalog even when the compiled-catalog cache has it (also DOCTOR_CACHE=off).")
    var noCache = false

    var cache: CatalogCache? {
        noCache ? nil : CatalogCache.standard(environment: ProcessInfo.processInfo.environment)
    }
}
