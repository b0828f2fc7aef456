import DoctorCore
import DoctorTestSupport
import Foundation
import Testing

@Suite struct CheckTests {
    /// `Check` reads every field of `CheckValues` through a property of its own (not a key path: see Check.swift),
    /// so a field added to `CheckValues` needs its line in `Check` too; this finds one that has none.
    @Test func everyFieldOfCheckValuesReadsThroughCheck() throws {
        let fields = Mirror(reflecting: CheckValues()).children.compactMap(\.label)
        #expect(fields.count >= 18)
        let source = try String(contentsOfFile: repoRoot + "/Sources/DoctorCore/Model/Check.swift", encoding: .utf8)
        let missing = fields.filter { !source.contains("public var \($0): ") || !source.contains("{ values.\($0) }") }
        #expect(missing.isEmpty, "Check has no read-through property for: \(missing)")
    }

    @Test func theReadThroughPropertiesGiveTheValues() {
        var values = CheckValues()
        values.id = "a.b"
        values.category = "configuration"
        values.timeout = 2.5
        values.requires = ["x"]
        values.tags = ["t"]
        let check = Check(values)
        #expect(check.id == "a.b" && check.category == "configuration" && check.timeout == 2.5 && check.requires == ["x"] && check.tags == ["t"])
    }
}
