import DoctorCore
import Foundation

/// Where the process is: the `--var` assignments and the catalog location (the rest of opening a catalog is
/// the library's `CatalogOpener`).
enum Environment {
    /// The `--var NAME=VALUE` assignments, in order.
    static func assignments(_ explicit: [String]) throws -> [(String, String)] {
        try explicit.map { assignment in
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw UsageError("--var expects NAME=VALUE, got '\(assignment)'")
            }
            let name = String(assignment[..<equals])
            guard name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }), !(name.first?.isNumber ?? true) else {
                throw UsageError("--var: invalid variable name '\(name)'")
            }
            return (name, String(assignment[assignment.index(after: equals)...]))
        }
    }

    /// `--catalog` paths, else `$DOCTOR_CATALOG` (colon-separated), else the `checks/` of the checkout the
    /// current directory (or the executable) is in, else the installed catalog.
    static func catalogPaths(_ explicit: [String]) throws -> [String] {
        if !explicit.isEmpty { return explicit }
        if let fromEnv = ProcessInfo.processInfo.environment["DOCTOR_CATALOG"], !fromEnv.isEmpty {
            return fromEnv.split(separator: ":").map(String.init)
        }
        let cwd = FileManager.default.currentDirectoryPath
        if let checkout = findCheckout(from: cwd) { return [relative(checkout + "/checks", to: cwd)] }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        if let checkout = findCheckout(from: executable) { return [relative(checkout + "/checks", to: cwd)] }
        for installed in installedCatalogs(executableDirectory: executable) where FileManager.default.fileExists(atPath: installed) {
            return [installed]
        }
        throw UsageError("no catalog found: pass --catalog DIR, set DOCTOR_CATALOG, or run from a checkout with checks/")
    }

    /// The catalogs an installed doctor looks for, first found wins: the administrator's `/etc/doctor/checks`,
    /// then the one installed beside this executable (`PREFIX/bin/doctor` → `PREFIX/share/doctor/checks`, for
    /// `scripts/install --prefix`), then the usual prefixes.
    static func installedCatalogs(executableDirectory: String) -> [String] {
        let besides = URL(fileURLWithPath: executableDirectory).deletingLastPathComponent().appendingPathComponent("share/doctor/checks").path
        var out = ["/etc/doctor/checks"]
        for candidate in [besides, "/usr/local/share/doctor/checks", "/usr/share/doctor/checks"] where !out.contains(candidate) {
            out.append(candidate)
        }
        return out
    }

    /// The nearest directory upwards holding doctor's `Package.swift` and a `checks/` directory.
    static func findCheckout(from start: String) -> String? {
        var dir = start
        while !dir.isEmpty {
            let manifest = dir + "/Package.swift"
            if FileManager.default.fileExists(atPath: dir + "/checks"),
                let text = try? String(contentsOfFile: manifest, encoding: .utf8), text.contains("name: \"Doctor\"")
            {
                return dir
            }
            if dir == "/" { break }
            dir = (dir as NSString).deletingLastPathComponent
        }
        return nil
    }

    static func relative(_ path: String, to cwd: String) -> String {
        if path.hasPrefix(cwd + "/") { return String(path.dropFirst(cwd.count + 1)) }
        return path
    }
}
