import DoctorCore
import DoctorYAML
import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

/// Loads the checks (YAML) with the built-in probes and runs them. Every result is audited against its probe's
/// spec: an observation the spec does not declare, or of another type, is a test failure.
func runChecks(_ yaml: String, variables: [String: String] = [:], settings: ProbeSettings = ProbeSettings()) async throws -> [CheckResult] {
    let fixture = TemporaryDirectory()
    fixture.write("checks.yaml", yaml, mode: 0o600)
    let catalog = try await CatalogLoader(registry: BuiltInProbes.registry).load(paths: [fixture.path + "/checks.yaml"])
    var all = ProcessInfo.processInfo.environment
    for (key, value) in variables { all[key] = value }
    let runner = Runner(registry: BuiltInProbes.registry, options: RunOptions(jobs: 4, variables: Variables(all), settings: settings))
    let results = await runner.run(Selection().plan(catalog)).results
    let problems = ObservationAudit.problems(results)
    #expect(problems.isEmpty, "observations outside the spec: \(problems)")
    return results
}

/// The catalog error loading `yaml` gives (what the probe refuses is a catalog error when no parameter
/// holds a variable); nil when it loads.
func loadError(_ yaml: String) async -> String? {
    let fixture = TemporaryDirectory()
    fixture.write("checks.yaml", yaml, mode: 0o600)
    do {
        _ = try await CatalogLoader(registry: BuiltInProbes.registry).load(paths: [fixture.path + "/checks.yaml"])
        return nil
    } catch {
        return error.description
    }
}

/// A check of the probe suites (a high-severity crypto-posture check).
func fileCheck(_ id: String, _ probe: String, _ expect: String? = nil, extra: String = "") -> String {
    checkYAML(id, probe: probe, expect: expect, extra: extra, category: "crypto-posture", severity: "high")
}

@Suite struct FileProbeTests {
    @Test func modeOwnerTypeAndSize() async throws {
        let fixture = TemporaryDirectory()
        let key = fixture.write("bus.key", String(repeating: "k", count: 32), mode: 0o600)
        let loose = fixture.write("loose.key", "x", mode: 0o644)
        let me = geteuid()
        let results = try await runChecks(
            fileCheck("ok", "{type: file, path: \"\(key)\"}", "{type: file, mode: \"0600\", owner: \(me), size: 32}")
                + fileCheck("named-owner", "{type: file, path: \"\(key)\"}", "{owner: \"${USER_NAME}\"}")
                + fileCheck("loose", "{type: file, path: \"\(loose)\"}", "{mode: {within: \"0700\"}}")
                + fileCheck("missing", "{type: file, path: \"\(fixture.path)/nope\"}", "{mode: \"0600\"}")
                + fileCheck("absent-ok", "{type: file, path: \"\(fixture.path)/nope\"}", "{exists: false}"),
            variables: ["USER_NAME": String(cString: getpwuid(me)!.pointee.pw_name)])
        #expect(results.map(\.status) == [.pass, .pass, .fail, .fail, .pass])
        #expect(results[2].message == "\(loose): mode is 0644, expected with no bits outside 0700")
        #expect(results[3].message == "\(fixture.path)/nope does not exist (expected mode == 0600)")
    }

    @Test func symlinksAreReportedNotFollowed() async throws {
        let fixture = TemporaryDirectory()
        let link = fixture.path + "/shadow.key"
        symlink("/etc/shadow", link)
        let results = try await runChecks(
            fileCheck("link", "{type: file, path: \"\(link)\"}", "{type: file, mode: \"0600\"}")
                + fileCheck("link-target", "{type: file, path: \"\(link)\"}", "{type: symlink, target: /etc/shadow}")
                + fileCheck("followed", "{type: file, path: \"\(link)\", follow_symlinks: true}", "{type: file}"))
        #expect(results.map(\.status) == [.fail, .pass, .pass])
        #expect(results[0].message.contains(#"type is "symlink", expected == "file""#))
    }

    @Test func aFIFOIsReportedAndNeverOpened() async throws {
        let fixture = TemporaryDirectory()
        let fifo = fixture.path + "/bus.key"
        #expect(mkfifo(fifo, 0o600) == 0)
        // Asking for a hash must not open (and block on) the FIFO.
        let results = try await runChecks(fileCheck("fifo", "{type: file, path: \"\(fifo)\"}", "{type: file, sha256: abc}", extra: "timeout: 20s"))
        #expect(results.map(\.status) == [.fail])
        #expect(results[0].message.contains(#"type is "fifo", expected == "file""#))
        #expect(results[0].durationSeconds < 5)
    }

    @Test func sha256MatchesTheFIPS180Vector() async throws {
        let fixture = TemporaryDirectory()
        let file = fixture.write("abc.txt", "abc", mode: 0o600)
        let digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        let results = try await runChecks(
            fileCheck("good", "{type: file, path: \"\(file)\"}", "{sha256: \(digest)}")
                + fileCheck("bad", "{type: file, path: \"\(file)\"}", "{sha256: \(String(repeating: "0", count: 64))}"))
        #expect(results.map(\.status) == [.pass, .fail])
    }

    @Test func socketsAndDirectories() async throws {
        let fixture = TemporaryDirectory()
        let socketPath = fixture.path + "/bus.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        #expect(bound == 0)
        chmod(fixture.path, 0o700)
        let results = try await runChecks(
            fileCheck("sock", "{type: file, path: \"\(socketPath)\"}", "{type: socket}")
                + fileCheck("dir", "{type: file, path: \"\(fixture.path)\"}", "{type: dir, mode: \"0700\"}")
                + fileCheck("types", "{type: file, path: \"\(socketPath)\"}", "{type: [file, dir]}"))
        #expect(results.map(\.status) == [.pass, .pass, .fail])
        #expect(results[2].message.contains(#"type is "socket", expected one of ["file", "dir"]"#))
    }

    @Test func globAppliesToEveryMatchAndDoesNotDescendIntoSymlinkedDirectories() async throws {
        let fixture = TemporaryDirectory()
        fixture.write("pds/bus.key", "k", mode: 0o600)
        fixture.write("pds/keys/daemon-secrets.key", "k", mode: 0o600)
        fixture.write("pds/keys/daemon-wm.key", "k", mode: 0o640)
        fixture.write("pds/keys/daemon-wm.pub", "p", mode: 0o644)
        let outside = TemporaryDirectory()
        outside.write("evil.key", "k", mode: 0o666)
        symlink(outside.path, fixture.path + "/pds/keys/linked")
        let results = try await runChecks(
            fileCheck("keys", "{type: file, glob: \"\(fixture.path)/pds/**/*.key\"}", "{mode: \"0600\"}")
                + fileCheck("no-match", "{type: file, glob: \"\(fixture.path)/pds/*.nothing\"}", "{mode: \"0600\"}")
                + fileCheck("no-match-allowed", "{type: file, glob: \"\(fixture.path)/pds/*.nothing\", min_matches: 0}", "{mode: \"0600\"}"))
        // Allowed to match nothing, a glob that matched nothing examined nothing: a skip that says so.
        #expect(results.map(\.status) == [.fail, .fail, .skip])
        #expect(results[2].message == "nothing to examine: no path matches '\(fixture.path)/pds/*.nothing' (0 subjects)")
        #expect(results[0].observed.map(\.subject) == [
            "\(fixture.path)/pds/bus.key", "\(fixture.path)/pds/keys/daemon-secrets.key", "\(fixture.path)/pds/keys/daemon-wm.key",
        ])
        #expect(results[0].message == "\(fixture.path)/pds/keys/daemon-wm.key: mode is 0640, expected == 0600")
        #expect(results[1].message.hasPrefix("0 paths match"))
    }

    @Test func noneFormFailsOnLeftovers() async throws {
        let fixture = TemporaryDirectory()
        fixture.write("pds/bus.key", "k", mode: 0o600)
        let clean = try await runChecks(fileCheck("clean", "{type: file, none: \"\(fixture.path)/pds/**/*.key.tmp\"}"))
        fixture.write("pds/keys/x.key.tmp", "k", mode: 0o600)
        let dirty = try await runChecks(fileCheck("dirty", "{type: file, none: \"\(fixture.path)/pds/**/*.key.tmp\"}"))
        #expect(clean.map(\.status) == [.pass])
        #expect(dirty.map(\.status) == [.fail])
        #expect(dirty[0].message.contains("1 path match"))
        #expect(dirty[0].message.contains("x.key.tmp"))
    }

    @Test func exactlyOneFormIsEnforcedAtLoadTime() async throws {
        let fixture = TemporaryDirectory()
        fixture.write("c.yaml", fileCheck("both", "{type: file, path: /a, glob: /b}"), mode: 0o600)
        await #expect(throws: CatalogError.self) {
            _ = try await CatalogLoader(registry: BuiltInProbes.registry).load(paths: [fixture.path])
        }
        do {
            _ = try await CatalogLoader(registry: BuiltInProbes.registry).load(paths: [fixture.path])
        } catch {
            #expect(error.issues.map(\.message) == ["probe 'file' takes exactly one of 'path', 'glob', 'none'; found 'path' and 'glob'"])
        }
    }
}

