import DoctorCore
import Foundation
import Testing

/// The one JSON reader: `parse` builds what it validates, strictly.
@Suite struct JSONScanTests {
    func parse(_ text: String) throws(JSONScan.Invalid) -> JSONValue { try JSONScan.parse(Array(text.utf8)) }

    @Test func valuesAreTypedAsJSONHasThem() throws {
        #expect(try parse(#" {"a": [1, -2, 3.5, 1e3, 0.0], "b": true, "c": null, "d": "x"} "#) == .object([
            ("a", .array([.int(1), .int(-2), .double(3.5), .double(1000), .double(0)])), ("b", .bool(true)), ("c", .null), ("d", .string("x")),
        ]))
        // Past Int64 a number is a double.
        #expect(try parse("92233720368547758070") == .double(9.2233720368547758e19))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object([]))
    }

    @Test func escapesAndSurrogatePairsAreDecoded() throws {
        #expect(try parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\n\té😀"))
        #expect(try parse(#""plain é""#) == .string("plain é"))
        // A lone surrogate has no scalar: it reads as U+FFFD.
        #expect(try parse(#"["\ud83d", "\ude00x", "\ud83d\u0041"]"#) == .array([.string("\u{fffd}"), .string("\u{fffd}x"), .string("\u{fffd}A")]))
    }

    @Test func aRepeatedNameKeepsItsLastValue() throws {
        #expect(try parse(#"{"a": 1, "b": 2, "a": 3}"#) == .object([("a", .int(3)), ("b", .int(2))]))
    }

    @Test func invalidTextIsRefusedWithItsOffset() {
        let cases: [(String, Int, String)] = [
            ("{\"a\": 1,}", 8, "expected a member name"), ("[1 2]", 3, "expected ',' or ']'"), ("01", 1, "text after the JSON value"),
            ("\"\u{01}\"", 1, "a control character in a string"), ("tru", 0, "unexpected end"), ("[1] x", 4, "text after the JSON value"),
            (String(repeating: "[", count: 65) + String(repeating: "]", count: 65), 64, "nested deeper than 64 levels"),
        ]
        for (text, offset, reason) in cases {
            do {
                _ = try parse(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.offset == offset && error.reason == reason, "\(text): \(error.offset) \(error.reason)")
            }
        }
        let overlong: [UInt8] = [0x22, 0xc0, 0xaf, 0x22]
        #expect(throws: JSONScan.Invalid.self) { try JSONScan.parse(overlong) }
    }

    /// The same documents through Python's json module (a parser we did not write) give the same values.
    @Test func agreesWithPythonsJSON() throws {
        let documents = [
            #"{"vault": {"version": 1, "factors": ["password", "fido2"], "ratio": 0.25, "neg": -7}}"#,
            #"["\u00e9\ud83d\ude00", {"k": [null, false, true]}, 123456789012, 1.5e-3]"#,
        ]
        for document in documents {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = ["-c", "import json,sys; print(json.dumps(json.loads(sys.stdin.read()), sort_keys=True, ensure_ascii=False))"]
            let input = Pipe(), output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            input.fileHandleForWriting.write(Data(document.utf8))
            try input.fileHandleForWriting.close()
            let python = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .newlines)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            #expect(JSONScanTests.canonical(try parse(document)) == python, "\(document)")
        }
    }

    /// `json.dumps(sort_keys=True, ensure_ascii=False)` of a value.
    static func canonical(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .double(let number): "\(number)"
        case .string(let text): "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .array(let items): "[" + items.map(canonical).joined(separator: ", ") + "]"
        case .object(let members): "{" + members.sorted { $0.0 < $1.0 }.map { canonical(.string($0.0)) + ": " + canonical($0.1) }.joined(separator: ", ") + "}"
        }
    }
}
