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

    /// One rule for values typed as they come: a string never equals, orders or contains a number or a
    /// boolean; the verdict is an error that says so, not a fail that reads like a pass.
    @Test func valuesTypedAsTheyComeNeverCompareAcrossKinds() {
        #expect(expectation(.dynamic, must: [(.eq, .string("2"))]).evaluate(.int(2))
            == .error(#"compared a number with a string: x is 2, expected == "2" (write 2 unquoted to compare numbers)"#))
        // `ne` across kinds passed silently before.
        #expect(expectation(.dynamic, must: [(.ne, .string("2"))]).evaluate(.int(2))
            == .error(#"compared a number with a string: x is 2, expected != "2" (write 2 unquoted to compare numbers)"#))
        #expect(expectation(.dynamic, must: [(.eq, .bool(true))]).evaluate(.string("true"))
            == .error(#"compared a string with a boolean: x is "true", expected == true"#))
        #expect(expectation(.dynamic, must: [(.gt, .int(1))]).evaluate(.string("5")) == .error(#"compared a string with a number: x is "5", expected > 1"#))
        #expect(expectation(.dynamic, must: [(.contains, .string("1"))]).evaluate(.list([.int(1), .int(2)]))
            == .error(#"compared a list of numbers with a string: x is [1, 2], expected containing "1""#))
        #expect(expectation(.dynamic, must: [(.notIn, .list([.string("2")]))]).evaluate(.int(2))
            == .error(#"compared a number with a string: x is 2, expected not one of ["2"]"#))
        // Same kinds compare as before: integers with decimals, strings as text, lists sharing a kind.
        #expect(expectation(.dynamic, must: [(.eq, .int(2))]).evaluate(.double(2)) == .pass)
        #expect(expectation(.dynamic, must: [(.lt, .string("2026-02-01"))]).evaluate(.string("2026-01-31")) == .pass)
        #expect(expectation(.dynamic, must: [(.in, .list([.string("auto"), .int(1)]))]).evaluate(.int(1)) == .pass)
        #expect(expectation(.dynamic, must: [(.eq, .int(3))]).evaluate(.int(2)) == .fail("x is 2, expected == 3"))
        // Strings are quoted in evidence, escaped as in JSON.
        #expect(expectation(.string, must: [(.eq, .string("a\"b"))]).evaluate(.string("c\nd")) == .fail(#"x is "c\nd", expected == "a\"b""#))
    }

    /// Durations no clock can hold are refused when parsed, and a clock built from one never traps.
    @Test func durationsStayWithinWhatAClockHolds() {
        #expect(DurationText.seconds("infinity") == .infinity)
        #expect(DurationText.seconds("99999999999999h") == nil)
        #expect(DurationText.seconds("100000000000000000000000000000s") == nil)
        #expect(DurationText.seconds("36500d") == 3_153_600_000.0)
        #expect(DurationText.clock(.infinity) == .seconds(DurationText.longest))
        #expect(DurationText.clock(.nan) == .zero)
        #expect(DurationText.clock(-5) == .zero)
        #expect(DurationText.clock(1.5) == .milliseconds(1500))
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
