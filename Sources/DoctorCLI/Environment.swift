import DoctorCore
import DoctorYAML
import Foundation

/// Where the process is: variables, the catalog location, the host.
enum Environment {
    /// The variables of a run: `--var` over vars files over built-ins over the process environment.
    static func variables(explicit: [String], files: [String]) throws -> Variables {
        var values = ProcessInfo.processInfo.environment
        let uid = geteuid(), gid = getegid()
        values["UID"] = String(uid)
        values["GID"] = String(gid)
        if let entry = getpwuid(uid) {
            if (values["USER"] ?? "").isEmpty { values["USER"] = String(cString: entry.pointee.pw_name) }
            if (values["HOME"] ?? "").isEmpty { values["HOME"] = String(cString: entry.pointee.pw_dir) }
        }
        values["HOSTNAME"] = hostName()
        for file in files {
            for (key, value) in try varsFile(file) { values[key] = value }
        }
        for assignment in explicit {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw UsageError("--var expects NAME=VALUE, got '\(assignment)'")
            }
            let name = String(assignment[..<equals])
            guard name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }), !(name.first?.isNumber ?? true) else {
                throw UsageError("--var: invalid variable name '\(name)'")
            }
            values[name] = String(assignment[assignment.index(after: equals)...])
        }
        return Variables(values)
    }

    /// A vars file: a YAML mapping of names to scalar values.
    static func varsFile(_ path: String) throws -> [(String, String)] {
        let bytes: [UInt8]
        do {
            bytes = try FileBytes.read(path)
        } catch {
            throw UsageError("cannot read vars file \(path): \(error.message)")
        }
        let (documents, problems) = bytes.withUnsafeBufferPointer { YAMLReader.read($0) }
        if let problem = problems.first { throw UsageError("\(path):\(problem.mark): \(problem.message)") }
        var out: [(String, String)] = []
        for document in documents {
            guard case .mapping(let pairs, _) = document else {
                throw UsageError("\(path):\(document.mark): a vars file is a mapping of NAME: value")
            }
            for pair in pairs {
                guard case .scalar(let scalar) = pair.value else {
                    throw UsageError("\(path):\(pair.value.mark): the value of '\(pair.key.text)' must be a single value")
                }
                out.append((pair.key.text, scalar.isNull ? "" : scalar.text))
            }
        }
        return out
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

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A usage problem found after parsing (exit 64).
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
