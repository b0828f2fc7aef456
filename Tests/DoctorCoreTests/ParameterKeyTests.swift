import DoctorCore
import Testing

/// Parameter keys read what the loader checked, typed by the key, with the documented default.
@Suite struct ParameterKeyTests {
    enum Parameter {
        static let path = ParameterKey.string("path", required: true, "A path.")
        static let limit = ParameterKey.byteSize("limit", default: "1M", "A size.")
        static let since = ParameterKey.duration("since", default: "1h", "A duration.")
        static let follow = ParameterKey.bool("follow", default: false, "A flag.")
        static let signature = ParameterKey.string("signature", default: "", "Empty by default.")
        static let names = ParameterKey.oneOrManyStrings("names", "Names.")
        static let env = ParameterKey.map("env", of: .string, "Variables.")
        static let undeclared = ParameterKey.string("undeclared", "Not in the spec.")
    }

    static let spec = ProbeSpec(
        type: "keys", summary: "Keys.",
        parameters: [Parameter.path, Parameter.limit, Parameter.since, Parameter.follow, Parameter.signature, Parameter.names, Parameter.env],
        observations: [ObservationKey("done", .bool, "Done.")])

    @Test func keysDescribeTheSpecAndReadTypedValuesWithTheirDefaults() {
        #expect(ParameterKeyTests.spec.parameters.map(\.name) == ["path", "limit", "since", "follow", "signature", "names", "env"])
        #expect(ParameterKeyTests.spec.parameters.map(\.defaultText) == [nil, "1M", "1h", "false", "\"\"", nil, nil])
        #expect(ParameterKeyTests.spec.parameter("path")?.required == true)
        #expect(ParameterKeyTests.spec.parameter("names")?.type == .oneOrMany(.string))

        let empty = Parameters([:], spec: ParameterKeyTests.spec)
        #expect(empty[Parameter.path] == nil)
        #expect(empty[Parameter.limit] == 1 << 20)
        #expect(empty[Parameter.since] == 3600)
        #expect(empty[Parameter.follow] == false)
        #expect(empty[Parameter.signature] == "")
        #expect(!empty.contains(Parameter.limit), "a default is not a given parameter")

        let given = Parameters(
            ["path": .string("/etc"), "limit": .int(4096), "follow": .bool(true), "names": .list([.string("a"), .string("b")]),
             "env": .list([.list([.string("HOME"), .string("/root")])])],
            spec: ParameterKeyTests.spec)
        #expect(given[Parameter.path] == "/etc")
        #expect(given[Parameter.limit] == 4096)
        #expect(given[Parameter.follow])
        #expect(given[Parameter.names] == ["a", "b"])
        #expect(given[Parameter.env]?.map(\.name) == ["HOME"] && given[Parameter.env]?.first?.value == .string("/root"))
        #expect(given.contains(Parameter.path))
    }

    @Test func observationKeysDeriveTheirOperatorsFromTheType() {
        #expect(ObservationKey("mode", .fileMode, "A mode.").operators.contains(.within))
        #expect(!ObservationKey("flag", .bool, "A flag.").operators.contains(.lt))
        #expect(ObservationKey("names", .list(.string), "Names.").operators.contains(.subsetOf))
    }

    @Test func readingAKeyTheSpecDoesNotDeclareStopsADebugBuild() async {
        await #expect(processExitsWith: .failure) {
            _ = Parameters([:], spec: ParameterKeyTests.spec)[Parameter.undeclared]
        }
    }
}
