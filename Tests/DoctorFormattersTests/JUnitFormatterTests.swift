import DoctorCore
@testable import DoctorFormatters
import DoctorTestSupport
import Foundation
import Testing

@Suite struct JUnitFormatterTests {
    @Test func validAgainstTheJUnitSchema() throws {
        let xml = JUnitFormatter(options: FormatOptions()).format(Canonical.report)
        let schema = try ReferenceData.require(ReferenceData.junitSchema, from: "the pytest source archive on PyPI")
        let result = try tool(["/usr/bin/xmllint", "--noout", "--schema", schema, "{input}"], input: xml)
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func suitesCasesAndOutcomes() {
        let xml = JUnitFormatter(options: FormatOptions()).format(Canonical.report)
        #expect(xml.contains("<testsuite name=\"ipc-connectivity\" package=\"doctor.ipc-connectivity\" id=\"0\""))
        #expect(xml.contains("<testsuite name=\"configuration\" package=\"doctor.configuration\" id=\"1\""))
        #expect(xml.contains("tests=\"5\" failures=\"0\" errors=\"1\" skipped=\"1\""))
        #expect(xml.contains("<testcase name=\"ipc-fail\" classname=\"ipc-connectivity\" time=\"0.250\">"))
        #expect(xml.contains("<failure message=\"/run/x: mode is 0644, expected == 0600\" type=\"high\">observed /run/x: mode=0644 owner=root (0)"))
        #expect(xml.contains("<error message=\"timed out after 2s\" type=\"error\">"))
        #expect(xml.contains("<skipped message=\"not a graphical session\"/>"))
        #expect(xml.contains("<system-out>WARN cfg-warn: latency is 300ms (warn if &gt; 250ms)</system-out>"))
        // A control character XML cannot carry is replaced, not written raw.
        #expect(!xml.unicodeScalars.contains { $0.value == 1 })
    }
}
