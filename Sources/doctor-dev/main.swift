import DoctorCLI
import Foundation

// doctor-dev: the project's own tool. `generate` rewrites the files generated from code (schemas, probe
// pages); `generate --check` only reports the stale ones (exit 1).
let arguments = Array(CommandLine.arguments.dropFirst())
let usage = "usage: doctor-dev generate [--check]\n       doctor-dev new-probe NAME [--root DIR]\n"
if arguments.first == "new-probe" {
    // Scaffolds a built-in probe (docs/extending.md, "Adding a built-in probe").
    guard arguments.count == 2 || (arguments.count == 4 && arguments[2] == "--root") else {
        FileHandle.standardError.write(Data(usage.utf8))
        exit(64)
    }
    let root = arguments.count == 4 ? arguments[3] : FileManager.default.currentDirectoryPath
    do {
        let created = try ProbeScaffold.create(arguments[1], root: root)
        print("wrote " + created.files.joined(separator: ", ") + "\nnext:\n" + created.next.map { "  " + $0 }.joined(separator: "\n"))
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("doctor-dev: \(error.description)\n".utf8))
        exit(64)
    }
}
guard arguments.first == "generate" else {
    FileHandle.standardError.write(Data(usage.utf8))
    exit(64)
}
let checkOnly = arguments.contains("--check")
var stale: [String] = []
for file in GeneratedFiles.all() {
    let current = try? String(contentsOfFile: file.path, encoding: .utf8)
    guard current != file.content else { continue }
    stale.append(file.path)
    if !checkOnly {
        let directory = (file.path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try file.content.write(toFile: file.path, atomically: true, encoding: .utf8)
        print("wrote \(file.path)")
    }
}
// The built-in governance, from governance/ (run from the repository root).
let governance = try GeneratedFiles.builtInGovernance(root: FileManager.default.currentDirectoryPath)
if (try? String(contentsOfFile: GeneratedFiles.builtInGovernancePath, encoding: .utf8)) != governance {
    stale.append(GeneratedFiles.builtInGovernancePath)
    if !checkOnly {
        try governance.write(toFile: GeneratedFiles.builtInGovernancePath, atomically: true, encoding: .utf8)
        print("wrote \(GeneratedFiles.builtInGovernancePath)")
    }
}
// docs/catalog.md, from the shipped catalog (run from the repository root).
let page = try await GeneratedFiles.catalogPage(root: FileManager.default.currentDirectoryPath)
if (try? String(contentsOfFile: GeneratedFiles.catalogPagePath, encoding: .utf8)) != page {
    stale.append(GeneratedFiles.catalogPagePath)
    if !checkOnly {
        try page.write(toFile: GeneratedFiles.catalogPagePath, atomically: true, encoding: .utf8)
        print("wrote \(GeneratedFiles.catalogPagePath)")
    }
}
if checkOnly && !stale.isEmpty {
    print("stale: " + stale.joined(separator: ", ") + "\nrun: \(GeneratedFiles.command)")
    exit(1)
}
if stale.isEmpty { print("generated files are up to date") }
