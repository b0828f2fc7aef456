import DoctorCore
import DoctorYAML
import Testing

@Suite struct YAMLReaderTests {
    @Test func keepsPositionsAndOrder() {
        let (documents, problems) = YAMLReader.read("a: 1\nb:\n  - x\n  - 'y'\n")
        #expect(problems.isEmpty)
        guard case .mapping(let pairs, _) = documents.first else {
            Issue.record("expected a mapping")
            return
        }
        #expect(pairs.map(\.key.text) == ["a", "b"])
        #expect(pairs[1].key.mark == SourceMark(line: 2, column: 1))
        guard case .sequence(let items, _) = pairs[1].value, case .scalar(let second) = items[1] else {
            Issue.record("expected a list")
            return
        }
        #expect(second.text == "y")
        #expect(second.style == .literal)
        #expect(second.mark == SourceMark(line: 4, column: 5))
    }

    @Test func reportsDuplicateKeysWithBothPositions() {
        let (_, problems) = YAMLReader.read("id: a\ntitle: t\nid: b\n")
        #expect(problems.map(\.message) == ["duplicate key 'id' (first defined at 1:1)"])
        #expect(problems.first?.mark == SourceMark(line: 3, column: 1))
    }

    @Test func reportsDuplicateKeysInLargeMappings() {
        var text = ""
        for index in 0..<40 { text += "k\(index): \(index)\n" }
        text += "k7: again\n"
        let (_, problems) = YAMLReader.read(text)
        #expect(problems.map(\.message) == ["duplicate key 'k7' (first defined at 8:1)"])
    }

    @Test func reportsSyntaxErrorsWithALocation() {
        let (_, problems) = YAMLReader.read("a: [1, 2\nb: 3\n")
        #expect(problems.count == 1)
        #expect(problems.first?.message.hasPrefix("YAML syntax error:") == true)
        #expect((problems.first?.mark.line ?? 0) >= 2)
    }

    @Test func resolvesAliasesAndRejectsMergeKeys() {
        let (documents, problems) = YAMLReader.read("base: &b {x: 1}\ncopy: *b\nother:\n  <<: *b\n")
        #expect(problems.map(\.message) == ["YAML merge keys ('<<') are not supported; write the keys out"])
        guard case .mapping(let pairs, _) = documents.first, case .mapping(let copied, _) = pairs[1].value else {
            Issue.record("alias not resolved")
            return
        }
        #expect(copied.map(\.key.text) == ["x"])
    }

    @Test func readsSeveralDocuments() {
        let (documents, problems) = YAMLReader.read("a: 1\n---\nb: 2\n")
        #expect(problems.isEmpty)
        #expect(documents.count == 2)
    }

    @Test func plainNullsAndQuotedStrings() {
        let (documents, _) = YAMLReader.read("a:\nb: ~\nc: 'null'\n")
        guard case .mapping(let pairs, _) = documents.first else { return }
        let scalars = pairs.compactMap { pair -> YAMLScalar? in if case .scalar(let s) = pair.value { s } else { nil } }
        #expect(scalars.map(\.isNull) == [true, true, false])
    }
}

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

@Suite struct TemplateTests {
    @Test func expandsVariablesFallbacksAndEscapes() throws {
        let template = try #require(try Template.parse("${HOME}/x/${MISSING:-d}/$$HOME/$x"))
        #expect(try template.expand(Variables(["HOME": "/h"])) == "/h/x/d/$HOME/$x")
        #expect(template.variableNames == ["HOME", "MISSING"])
    }

    /// A fallback is a template of its own (`${XDG_CONFIG_HOME:-${HOME}/.config}`), used when the variable is
    /// undefined or empty, as in a shell. Before, the first `}` ended the reference and the path silently became
    /// `${HOME/.config}/pds`.
    @Test func fallbacksNestAndApplyToEmptyValues() throws {
        let template = try #require(try Template.parse("${XDG_CONFIG_HOME:-${HOME}/.config}/pds"))
        #expect(try template.expand(Variables(["HOME": "/h"])) == "/h/.config/pds")
        #expect(try template.expand(Variables(["HOME": "/h", "XDG_CONFIG_HOME": ""])) == "/h/.config/pds")
        #expect(try template.expand(Variables(["HOME": "/h", "XDG_CONFIG_HOME": "/c"])) == "/c/pds")
        #expect(template.variableNames == ["XDG_CONFIG_HOME", "HOME"])
        // The fallback's own variables must be defined when it is used.
        #expect(throws: UndefinedVariable.self) { try template.expand(Variables()) }
        let deep = try #require(try Template.parse("${A:-${B:-${C}x}y}$${z}"))
        #expect(try deep.expand(Variables(["C": "c"])) == "cxy${z}")
        #expect(throws: TemplateError.self) { try Template.parse("${A:-${B}") }
    }

    @Test func textWithoutDollarIsNotATemplate() throws {
        #expect(try Template.parse("/etc/passwd") == nil)
    }

    @Test func undefinedVariablesAreErrorsNotEmptyStrings() throws {
        let template = try #require(try Template.parse("${NOPE}/x"))
        #expect(throws: UndefinedVariable.self) { try template.expand(Variables()) }
    }

    @Test func badSyntaxIsRejected() {
        #expect(throws: TemplateError.self) { try Template.parse("${OPEN") }
        #expect(throws: TemplateError.self) { try Template.parse("${1BAD}") }
    }
}
