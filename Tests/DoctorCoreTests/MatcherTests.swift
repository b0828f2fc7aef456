import DoctorCore
import Testing

@Suite struct MatcherTests {
    func expectation(_ type: ValueType, must: [(Operator, Value)] = [], warnIf: [(Operator, Value)] = [], failIf: [(Operator, Value)] = []) -> ResolvedExpectation {
        func clauses(_ list: [(Operator, Value)]) -> [Condition] {
            list.map { op, value in
                let regex = (op == .matches || op == .notMatches) ? try? CompiledRegex(value.asString ?? "") : nil
                return Condition(op: op, operand: .value(value), regex: regex, mark: SourceMark(line: 1, column: 1))
            }
        }
        let raw = Expectation(observation: "x", type: type, must: clauses(must), warnIf: clauses(warnIf), failIf: clauses(failIf), mark: SourceMark(line: 1, column: 1))
        return try! raw.resolve(Variables())
    }

    @Test func equalityAndMessages() {
        let mode = expectation(.fileMode, must: [(.eq, .int(0o600))])
        #expect(mode.evaluate(.int(0o600)) == .pass)
        #expect(mode.evaluate(.int(0o644)) == .fail("x is 0644, expected == 0600"))
        #expect(mode.evaluate(nil) == .fail("x was not observed, expected == 0600"))
    }

    @Test func withinMask() {
        let mode = expectation(.fileMode, must: [(.within, .int(0o700))])
        #expect(mode.evaluate(.int(0o600)) == .pass)
        #expect(mode.evaluate(.int(0o640)) == .fail("x is 0640, expected with no bits outside 0700"))
    }

    @Test func warnAndFailThresholds() {
        let latency = expectation(.duration, warnIf: [(.gt, .double(0.25))], failIf: [(.gt, .double(2))])
        #expect(latency.evaluate(.double(0.1)) == .pass)
        #expect(latency.evaluate(.double(0.3)) == .warn("x is 300ms (warn if > 250ms)"))
        #expect(latency.evaluate(.double(3)) == .fail("x is 3s (fail if > 2s)"))
        #expect(latency.summary == "warn if > 250ms; fail if > 2s")
    }

    @Test func principalsMatchByNameOrID() {
        let owner = expectation(.principal, must: [(.eq, .string("root"))])
        #expect(owner.evaluate(.principal(id: 0, name: "root")) == .pass)
        let byID = expectation(.principal, must: [(.eq, .int(0))])
        #expect(byID.evaluate(.principal(id: 0, name: "root")) == .pass)
        #expect(byID.evaluate(.principal(id: 1000, name: "me")) != .pass)
    }

    @Test func listsAndPatterns() {
        let oneOf = expectation(.string, must: [(.in, .list([.string("a"), .string("b")]))])
        #expect(oneOf.evaluate(.string("b")) == .pass)
        #expect(oneOf.evaluate(.string("c")) == .fail(#"x is "c", expected one of ["a", "b"]"#))
        let pattern = expectation(.string, must: [(.matches, .string("^/run/user/[0-9]+$"))])
        #expect(pattern.evaluate(.string("/run/user/1000")) == .pass)
        #expect(pattern.evaluate(.string("/tmp")) != .pass)
        let contains = expectation(.list(.string), must: [(.contains, .string("fido2"))])
        #expect(contains.evaluate(.list([.string("password"), .string("fido2")])) == .pass)
        let empty = expectation(.list(.string), must: [(.empty, .bool(false))])
        #expect(empty.evaluate(.list([])) == .fail("x is [], expected empty: false"))
    }

    @Test func ordering() {
        let size = expectation(.byteSize, must: [(.ge, .int(64 << 20))])
        #expect(size.evaluate(.int(64 << 20)) == .pass)
        #expect(size.evaluate(.int(8 << 20)) == .fail("x is 8 MiB, expected >= 64 MiB"))
    }
}
