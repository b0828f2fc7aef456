import DoctorCore
@testable import DoctorFormatters
import DoctorTestSupport
import Foundation
import Testing

@Suite struct PrometheusFormatterTests {
    @Test func everyStatusAppearsAndNothingIsDropped() {
        let text = PrometheusFormatter(options: FormatOptions()).format(Canonical.report)
        #expect(text.contains("pds_doctor_check{name=\"cfg-pass\",category=\"configuration\"} 0\n"))
        #expect(text.contains("pds_doctor_check{name=\"ipc-fail\",category=\"ipc-connectivity\"} 1\n"))
        #expect(text.contains("pds_doctor_check{name=\"cfg-warn\",category=\"configuration\"} 2\n"))
        #expect(text.contains("pds_doctor_check{name=\"cfg-error\",category=\"configuration\"} 1\n"))
        #expect(text.contains("pds_doctor_check_error{name=\"cfg-error\",category=\"configuration\"} 1\n"))
        #expect(!text.contains("pds_doctor_check{name=\"cfg-skip\""))
        #expect(text.contains("pds_doctor_check_skipped{name=\"cfg-skip\",category=\"configuration\"} 1\n"))
        #expect(text.contains("pds_doctor_checks{status=\"fail\"} 1\n"))
        #expect(text.contains("pds_doctor_run_duration_seconds 1.5\n"))
        #expect(text.contains("pds_doctor_last_run_timestamp_seconds 1795000001.5\n"))
        #expect(text.contains("pds_doctor_build_info{version=\"9.9.9\",catalog_digest=\"\(String(repeating: "ab", count: 32))\"} 1\n"))
        // Every family has HELP and TYPE; no sample carries a timestamp.
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(line.split(separator: " ").count == 2, "\(line)")
        }
    }

    @Test func labelValuesAreEscapedAndThePrefixIsConfigurable() {
        #expect(PrometheusFormatter.label("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
        let text = PrometheusFormatter(options: FormatOptions(metricPrefix: "acme")).format(Canonical.report)
        #expect(text.contains("acme_doctor_check{name=\"cfg-pass\",category=\"configuration\"} 0\n"))
        #expect(!text.contains("pds_"))
    }

    @Test func promtoolAcceptsItWithoutLintWarnings() throws {
        let text = PrometheusFormatter(options: FormatOptions()).format(Canonical.report)
        let result = try tool(["/bin/sh", "-c", "promtool check metrics < {input}"], input: text)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(result.output)")
    }

    @Test func nodeExporterServesTheTextfile() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-textfile")
        directory.write("doctor.prom", PrometheusFormatter(options: FormatOptions()).format(Canonical.report))
        let port = Int.random(in: 20000...40000)
        let exporter = try ChildProcess([
            "/usr/bin/prometheus-node-exporter", "--web.listen-address=127.0.0.1:\(port)", "--collector.disable-defaults",
            "--collector.textfile", "--collector.textfile.directory=\(directory.path)",
        ], stdout: directory.path + "/exporter.log")
        var scraped = ""
        for _ in 0..<100 {
            let fetch = try tool(["/usr/bin/curl", "-sf", "http://127.0.0.1:\(port)/metrics"])
            if fetch.status == 0 {
                scraped = fetch.output
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        _ = exporter
        // node_exporter re-serializes with labels sorted, and reports whether the file parsed.
        #expect(scraped.contains("pds_doctor_check{category=\"ipc-connectivity\",name=\"ipc-fail\"} 1"), "\(scraped.prefix(2000))")
        #expect(scraped.contains("pds_doctor_check_skipped{category=\"configuration\",name=\"cfg-skip\"} 1"))
        #expect(scraped.contains("node_textfile_scrape_error 0"))
    }
}
