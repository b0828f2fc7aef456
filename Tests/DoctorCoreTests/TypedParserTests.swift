import DoctorCore
import DoctorYAML
import Testing

@Suite struct TypedParserTests {
    func parse(_ text: String, plain: Bool = true, _ type: ValueType) -> Value? {
        try? TypedParser.parse(text: text, plain: plain, type: type).get()
    }

    @Test func modesAreOctal() {
        #expect(parse("0600", .fileMode) == .int(0o600))
        #expect(parse("600", .fileMode) == .int(0o600))
        #expect(parse("4755", plain: false, .fileMode) == .int(0o4755))
        #expect(parse("0o700", .fileMode) == .int(0o700))
        #expect(parse("0680", .fileMode) == nil)
        #expect(parse("77777", .fileMode) == nil)
    }

    @Test func durationsNeedUnits() {
        #expect(parse("250ms", .duration) == .double(0.25))
        #expect(parse("1m30s", .duration) == .double(90))
        #expect(parse("0", .duration) == .double(0))
        #expect(parse("5", .duration) == nil)
        if case .failure(let problem) = TypedParser.parse(text: "5", plain: true, type: .duration) {
            #expect(problem.hint == "write '5s'")
        }
    }

    @Test func sizes() {
        #expect(parse("64M", .byteSize) == .int(64 << 20))
        #expect(parse("1GiB", .byteSize) == .int(1 << 30))
        #expect(parse("4096", .byteSize) == .int(4096))
        #expect(parse("12 parsecs", .byteSize) == nil)
    }

    @Test func booleansAreStrictYAML12() {
        #expect(parse("true", .bool) == .bool(true))
        #expect(parse("yes", .bool) == nil)
        #expect(parse("true", plain: false, .bool) == nil)
    }

    @Test func numbersMustBePlain() {
        #expect(parse("12", .integer) == .int(12))
        #expect(parse("0x1F", .integer) == .int(31))
        #expect(parse("12", plain: false, .integer) == nil)
        #expect(parse("1.5", .number) == .double(1.5))
        #expect(parse("1.5", .integer) == nil)
    }

    @Test func enumerationsSuggest() {
        guard case .failure(let problem) = TypedParser.parse(text: "sockt", plain: true, type: .enumeration(["file", "socket"])) else {
            Issue.record("accepted a bad word")
            return
        }
        #expect(problem.hint == "did you mean 'socket'?")
    }

    @Test func principals() {
        #expect(parse("root", .principal) == .string("root"))
        #expect(parse("1000", .principal) == .int(1000))
    }
}
