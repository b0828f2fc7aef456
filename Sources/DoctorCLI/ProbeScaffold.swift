import Foundation

/// `doctor-dev new-probe NAME`: the files a new built-in probe starts from. A probe of type `ntp-sync` becomes
/// `NtpSyncProbe` in `Sources/DoctorProbes/NtpSync/NtpSyncProbe.swift`, with its test suite in
/// `Tests/DoctorProbesTests/NtpSyncProbeTests.swift` and its line in `BuiltInProbes.all` (kept sorted). The
/// probe it writes is small and real (it observes whether a path exists), so that it builds, its test passes
/// and the generated pages are right from the first build; what it observes is then replaced.
public enum ProbeScaffold {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The files written (relative to `root`) and what to run next.
    public struct Created: Sendable {
        public var files: [String]
        public var next: [String]
    }

    /// `ntp-sync` → `NtpSync`; nil for a name that is not lowercase words joined by `-`.
    public static func typeName(_ name: String) -> String? {
        let words = name.split(separator: "-", omittingEmptySubsequences: false)
        guard !words.isEmpty, words.allSatisfy({ word in
            guard let first = word.first, first.isASCII, first.isLowercase else { return false }
            return word.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }
        }) else { return nil }
        return words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    public static func create(_ name: String, root: String) throws(Failure) -> Created {
        guard let pascal = typeName(name) else {
            throw Failure(description: "'\(name)' is not a probe type name: lowercase words joined by '-', such as ntp-sync")
        }
        let probeFile = "Sources/DoctorProbes/\(pascal)/\(pascal)Probe.swift"
        let testFile = "Tests/DoctorProbesTests/\(pascal)ProbeTests.swift"
        let registryFile = "Sources/DoctorProbes/BuiltInProbes.swift"
        let manager = FileManager.default
        for file in [probeFile, testFile] where manager.fileExists(atPath: root + "/" + file) {
            throw Failure(description: "\(file) exists already")
        }
        guard var registry = try? String(contentsOfFile: root + "/" + registryFile, encoding: .utf8),
            let open = registry.range(of: "public static let all: [any Probe.Type] = [\n"),
            let close = registry.range(of: "    ]\n", range: open.upperBound..<registry.endIndex)
        else {
            throw Failure(description: "\(root)/\(registryFile) has no `BuiltInProbes.all` list to add to")
        }
        var entries = registry[open.upperBound..<close.lowerBound].split(separator: "\n").map(String.init)
        let entry = "        \(pascal)Probe.self,"
        guard !entries.contains(entry) else { throw Failure(description: "\(pascal)Probe is registered already") }
        entries.append(entry)
        entries.sort()
        registry.replaceSubrange(open.upperBound..<close.lowerBound, with: entries.joined(separator: "\n") + "\n")
        do {
            try manager.createDirectory(atPath: root + "/Sources/DoctorProbes/\(pascal)", withIntermediateDirectories: true)
            try probe(name, pascal).write(toFile: root + "/" + probeFile, atomically: true, encoding: .utf8)
            try test(name, pascal).write(toFile: root + "/" + testFile, atomically: true, encoding: .utf8)
            try registry.write(toFile: root + "/" + registryFile, atomically: true, encoding: .utf8)
        } catch {
            throw Failure(description: "cannot write the probe's files: \(error.localizedDescription)")
        }
        return Created(files: [probeFile, testFile, registryFile], next: [
            "swift build --build-tests",
            "swift run doctor-dev generate        # its schema fragment and docs/probes/\(name).md",
            "swift test --filter \(pascal)ProbeTests",
            "then replace what it observes (its Parameter and Observed keys, init, observe) and its test",
        ])
    }

    static func probe(_ name: String, _ pascal: String) -> String {
        """
        public import DoctorCore
        #if canImport(Glibc)
        import Glibc
        #endif

        /// Written by `doctor-dev new-probe \(name)`: observes whether `path` exists. Replace the spec's parameters
        /// and observations, `init` and `observe` with what this probe is for; keep `init` free of side effects
        /// (the loader builds the probe once while validating a catalog). Each parameter and observation is
        /// declared once, as a key: the spec lists the keys, `init` reads by them, `observe` writes by them.
        public struct \(pascal)Probe: BoundedProbe {
            enum Parameter {
                static let path = ParameterKey.string("path", required: true, "The path to look at.")
            }

            enum Observed {
                static let exists = ObservationKey("exists", .bool, "Whether the path exists (a dangling symlink exists).")
            }

            public static let spec = ProbeSpec(
                type: "\(name)",
                summary: "Whether a path exists (the starting point `doctor-dev new-probe` writes).",
                parameters: [Parameter.path],
                observations: [Observed.exists],
                defaultExpect: "{exists: true}",
                examples: [
                    ProbeExample("The host has a name file", \"\"\"
                        id: \(name)-hostname
                        title: /etc/hostname exists
                        category: configuration
                        severity: low
                        probe: {type: \(name), path: /etc/hostname}
                        \"\"\",
                        .pass()),
                ])

            let path: String

            public init(parameters: Parameters) throws(ProbeError) {
                guard let path = parameters[Parameter.path], !path.isEmpty else { throw ProbeError("'path' is empty") }
                self.path = path
            }

            public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
                var info = stat()
                return ProbeOutput(observations: [Observation(subject: path, values: [Observed.exists: .bool(lstat(path, &info) == 0)])])
            }
        }

        """
    }

    static func test(_ name: String, _ pascal: String) -> String {
        """
        import DoctorCore
        import DoctorTestSupport
        import Foundation
        import Testing

        /// Written by `doctor-dev new-probe \(name)`: the probe against real files. Replace with the parts it checks.
        @Suite struct \(pascal)ProbeTests {
            @Test func aPathThatExistsPassesAndOneThatDoesNotFails() async throws {
                let directory = TemporaryDirectory(prefix: "doctor-\(name)")
                let present = directory.write("present", "x")
                let results = try await runChecks(
                    fileCheck("present", "{type: \(name), path: \\"\\(present)\\"}")
                        + fileCheck("absent", "{type: \(name), path: \\"\\(directory.path)/absent\\"}"))
                #expect(results.map(\\.status) == [.pass, .fail], "\\(results.map(\\.message))")
                #expect(results[1].message == "\\(directory.path)/absent: exists is false, expected == true")
            }
        }

        """
    }
}
