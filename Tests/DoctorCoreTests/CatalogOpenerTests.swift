import DoctorCore
import DoctorProbes
import DoctorTestSupport
import DoctorYAML
import Foundation
import Testing

/// The library's way to open a catalog is as strict as `doctor`'s: a program that embeds DoctorCore gets the
/// governance validation, the variables and the trust rule the CLI applies.
@Suite struct CatalogOpenerTests {
    static let check = """
        - id: key-private
          title: The key is private
          category: crypto-posture
          severity: high
          governance: {pci-dss: ["%@"]}
          probe: {type: file, path: "${KEY_PATH}"}
          expect: {mode: "0600"}

        """

    @Test func controlIDsAreCheckedAgainstTheBuiltInFrameworks() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-opener")
        directory.write("checks/good.yaml", CatalogOpenerTests.check.replacingOccurrences(of: "%@", with: "3.5.1"))
        directory.write("checks-bad/bad.yaml", CatalogOpenerTests.check.replacingOccurrences(of: "%@", with: "99.99.99"))
        let opener = CatalogOpener(registry: BuiltInProbes.registry, yaml: LibYAML(), environment: [:])
        let catalog = try await opener.open(paths: [directory.path + "/checks"])
        #expect(catalog.checks.map(\.id) == ["key-private"])
        do {
            _ = try await opener.open(paths: [directory.path + "/checks-bad"])
            Issue.record("an unknown PCI DSS requirement was accepted")
        } catch {
            #expect(error.description.contains("bad.yaml:5:"), "\(error.description)")
            #expect(error.description.contains("99.99.99"), "\(error.description)")
        }
    }

    @Test func variablesComeFromTheEnvironmentVarsFilesAndOverrides() throws {
        let directory = TemporaryDirectory(prefix: "doctor-opener")
        let file = directory.write("vars.yaml", "KEY_PATH: /from/file\nLEVEL: 2\n")
        let opener = CatalogOpener(registry: BuiltInProbes.registry, yaml: LibYAML(), environment: ["KEY_PATH": "/from/env", "HOME": "/home/x"])
        let variables = try opener.variables(files: [file], overrides: [("LEVEL", "3")])
        #expect(variables["KEY_PATH"] == "/from/file")
        #expect(variables["LEVEL"] == "3")
        #expect(variables["HOME"] == "/home/x")
        #expect(variables["UID"] == String(geteuid()))
        let bad = directory.write("bad.yaml", "- a list\n")
        #expect(throws: CatalogOpener.VariablesError.self) { try opener.variables(files: [bad]) }
    }

    @Test func checksThatRunProgramsNeedATrustedCatalog() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-opener")
        let exec = """
            - id: runs-a-program
              title: Runs a program
              category: platform-integration
              severity: low
              probe: {type: exec, command: [/bin/true]}

            """
        let file = directory.write("checks/exec.yaml", exec)
        let opener = CatalogOpener(registry: BuiltInProbes.registry, yaml: LibYAML(), environment: [:])
        let catalog = try await opener.open(paths: [directory.path + "/checks"])
        #expect(opener.trustProblems(catalog, running: catalog.checks).isEmpty)
        chmod(file, 0o666)
        let problems = opener.trustProblems(catalog, running: catalog.checks)
        #expect(problems == ["\(file) is writable by anyone (mode 666): `chmod go-w \(file)`"], "\(problems)")
        // Checks that run no program need no trust.
        #expect(opener.trustProblems(catalog, running: []).isEmpty)
    }
}
