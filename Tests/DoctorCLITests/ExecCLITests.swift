import DoctorTestSupport
import Foundation
import Testing

/// `exec` checks through the command line: the opt-in, the catalog trust rule, and perf data in the metrics.
@Suite struct ExecCLITests {
    static let catalog = """
        - id: plugin-dummy
          title: check_dummy says OK
          category: configuration
          severity: low
          probe: {type: exec, command: [check_dummy, "0", fine]}
        - id: plugin-load
          title: The load is sane
          category: configuration
          severity: low
          probe: {type: exec, command: [check_load, -w, "900,900,900", -c, "990,990,990"], observe: [perf.load1]}
          expect: {status: pass, perf.load1: {ge: 0}}

        """

    @Test func perfDataReachesAnOTLPReceiver() throws {
        let scratch = TemporaryDirectory(prefix: "doctor-exec-otlp")
        chmod(scratch.path, 0o755)
        scratch.write("checks/plugins.yaml", ExecCLITests.catalog)
        let receiver = try OTLPReceiver()
        let result = try doctor(
            ["run", "--catalog", scratch.path + "/checks", "--allow-exec", "--format", "otlp=\(receiver.endpoint)"],
            environment: ["DOCTOR_OBSERVABILITY_TOML": "/nonexistent/observability.toml"])
        #expect(result.status == 0, "\(result.stderr)")
        let metrics = (try receiver.received().first?["metrics"] as? [[String: Any]]) ?? []
        let perfdata = metrics.first { $0["name"] as? String == "pds_doctor_check_perfdata" }
        let points = (perfdata?["points"] as? [[String: Any]]) ?? []
        let labels = points.compactMap { ($0["attributes"] as? [String: Any])?["perfdata.label"] as? String }
        #expect(labels == ["load1", "load5", "load15"], "\(metrics.map { $0["name"] ?? "" })")
        #expect(points.allSatisfy { ($0["attributes"] as? [String: Any])?["check.id"] as? String == "plugin-load" && ($0["value"] as? Double ?? -1) >= 0 })
    }

    @Test func execNeedsTheOptInAndATrustedCatalog() throws {
        let scratch = TemporaryDirectory(prefix: "doctor-exec-cli")
        chmod(scratch.path, 0o755)
        scratch.write("checks/plugins.yaml", ExecCLITests.catalog)
        let catalog = scratch.path + "/checks"

        // Off by default: skipped with the reason, exit 0.
        let off = try doctor(["run", "--catalog", catalog, "--format", "json"], environment: ["DOCTOR_ALLOW_EXEC": nil])
        #expect(off.status == 0)
        #expect(off.stdout.contains("exec checks are off: run with --allow-exec"))

        // Allowed and trusted: they run.
        let on = try doctor(["run", "--catalog", catalog, "--allow-exec"])
        #expect(on.status == 0, "\(on.stdout)\(on.stderr)")
        #expect(try doctor(["run", "--catalog", catalog], environment: ["DOCTOR_ALLOW_EXEC": "1"]).status == 0)

        // The metrics carry the plugin's performance data, and promtool accepts them.
        let metrics = try doctor(["run", "--catalog", catalog, "--allow-exec", "--format", "prometheus"])
        #expect(metrics.stdout.contains("pds_doctor_check_perfdata{name=\"plugin-load\",category=\"configuration\",label=\"load1\",unit=\"\"} "))
        let lint = try run("/bin/sh", ["-c", "\(try tool("promtool")) check metrics"], stdin: metrics.stdout)
        #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")

        // A catalog directory others can write: refused before anything runs (65), naming the path and the fix.
        chmod(catalog, 0o777)
        let loose = try doctor(["run", "--catalog", catalog, "--allow-exec"])
        #expect(loose.status == 65)
        #expect(loose.stderr.contains("refusing to run exec checks from an untrusted catalog"))
        #expect(loose.stderr.contains("\(catalog) is writable by anyone (mode 777): `chmod go-w \(catalog)`"), "\(loose.stderr)")
        let validate = try doctor(["validate", catalog])
        #expect(validate.status == 65 && validate.stderr.contains("chmod go-w \(catalog)"))
        // Without the opt-in nothing would run, so nothing is refused.
        #expect(try doctor(["run", "--catalog", catalog]).status == 0)
        chmod(catalog, 0o755)

        // A catalog file owned by another user (not root); only root can give a file away.
        guard geteuid() == 0 else { return }
        let file = catalog + "/plugins.yaml"
        chown(file, 65534, 65534)
        let foreign = try doctor(["run", "--catalog", catalog, "--allow-exec"])
        #expect(foreign.status == 65 && foreign.stderr.contains("\(file) belongs to uid 65534"), "\(foreign.stderr)")
        chown(file, geteuid(), getegid())
        #expect(try doctor(["validate", catalog]).status == 0)
    }
}
