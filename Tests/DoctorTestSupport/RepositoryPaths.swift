import Foundation

/// The repository root (this file is Tests/DoctorTestSupport/RepositoryPaths.swift).
public let repoRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// A built executable of this package: `$DOCTOR_BIN_DIR`, next to the test bundle, else in .build/debug.
public func executable(_ name: String) throws -> String {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    for candidate in [ProcessInfo.processInfo.environment["DOCTOR_BIN_DIR"].map { $0 + "/" + name }, beside, repoRoot + "/.build/debug/" + name].compactMap({ $0 })
    where FileManager.default.isExecutableFile(atPath: candidate) {
        return candidate
    }
    throw ToolMissing(message: "the '\(name)' executable is not built: run `swift build` first")
}
