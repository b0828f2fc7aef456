import DoctorCore
import Testing

@Suite struct ValueEvidenceTests {
    /// Evidence is for messages: a huge list or string is shown by its start and how much more there is, while
    /// `display` (which `matches` reads) stays whole.
    @Test func evidenceIsBoundedAndDisplayIsWhole() {
        let list = Value.list((0..<100).map { .int(Int64($0)) })
        #expect(list.evidence() == "[" + (0..<32).map(String.init).joined(separator: ", ") + ", … 68 more]")
        #expect(list.display() == "[" + (0..<100).map(String.init).joined(separator: ", ") + "]")
        let text = Value.string(String(repeating: "a", count: 1_500))
        #expect(text.evidence() == "\"" + String(repeating: "a", count: 1_000) + "\"… (500 more characters)")
        #expect(text.display().count == 1_500)
        #expect(Value.list([.string("x")]).evidence() == "[\"x\"]")
    }
}
