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

