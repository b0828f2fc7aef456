import TOMLKit

/// The one way doctor parses TOML (the `toml` and `installation` probes): TOMLKit, behind a guard for the one
/// input its bundled toml++ aborts the whole process on instead of reporting.
///
/// toml++ 3.x before marzer/tomlplusplus#301 (merged 2026-05) enters `parse_key()` from a table header whose
/// first character after `[` or `[[` (and any spaces) is not a key's: a newline, `=`, `#`, `,`, `{`… and its
/// `TOML_ASSERT_ASSUME` there aborts (SIGABRT, in debug and release builds of doctor alike). TOMLKit 0.6.0, the
/// version this package can use, bundles such a toml++. Found by the `toml` fuzz target (docs/reliability.md):
/// a `config.toml` holding `[` and a line break took every check of the run down with it.
///
/// The guard reads the document as toml++ does at the top level (comments, key/value lines whose values may
/// span lines: arrays, multi-line strings) and finds each table header; a header that would reach the assert
/// is a syntax error at its position, with the message toml++ gives once fixed, and toml++ never sees it.
enum TOMLDocument {
    struct SyntaxError: Error {
        let line: Int
        let column: Int
        let message: String
    }

    static func parse(_ text: String) throws(SyntaxError) -> TOMLTable {
        if let bad = unsafeHeader(Array(text.utf8)) {
            throw SyntaxError(line: bad.line, column: bad.column, message: "expected bare key starting character or string delimiter, saw '\(bad.shown)'")
        }
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw SyntaxError(line: error.source.begin.line, column: error.source.begin.column, message: error.description)
        } catch {
            throw SyntaxError(line: 1, column: 1, message: "\(error)")
        }
    }

    /// The position of the first table header that would reach toml++'s assert, or nil.
    static func unsafeHeader(_ b: [UInt8]) -> (line: Int, column: Int, shown: String)? {
        let n = b.count
        // toml++ skips a UTF-8 byte order mark.
        var i = n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
        func isKeyStart(_ c: UInt8) -> Bool {
            (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) || (0x30...0x39).contains(c) || c == 0x5F || c == 0x2D || c == 0x22 || c == 0x27
        }
        func skipSpaces() { while i < n, isSpace(b[i]) { i += 1 } }
        func skipLine() { while i < n, b[i] != 0x0A { i += 1 } }
        /// Skips the string starting at `i` (any of the four kinds); false when it does not end.
        func skipString() -> Bool {
            let quote = b[i]
            let triple = i + 2 < n && b[i + 1] == quote && b[i + 2] == quote
            i += triple ? 3 : 1
            while i < n {
                if quote == 0x22, b[i] == 0x5C { i += 2; continue }
                if !triple, b[i] == 0x0A { return false }
                if b[i] == quote {
                    if !triple { i += 1; return true }
                    if i + 2 < n, b[i + 1] == quote, b[i + 2] == quote {
                        i += 3
                        // Up to two more quotes belong to the content ("""a"""" ends with a quote).
                        var extra = 0
                        while extra < 2, i < n, b[i] == quote { i += 1; extra += 1 }
                        return true
                    }
                }
                i += 1
            }
            return false
        }
        func position(_ at: Int) -> (line: Int, column: Int, shown: String) {
            var line = 1
            var start = 0
            for k in 0..<at where b[k] == 0x0A {
                line += 1
                start = k + 1
            }
            let column = 1 + b[start..<at].filter { $0 & 0xC0 != 0x80 }.count
            let c = at < n ? b[at] : 0
            let shown = c == 0x0A ? "\\n" : c == 0x0D ? "\\r" : c == 0x09 ? "\\t" : (0x20..<0x7F).contains(c) ? String(UnicodeScalar(c)) : "\\u{\(String(c, radix: 16))}"
            return (line, column, shown)
        }

        while i < n {
            skipSpaces()
            guard i < n else { break }
            switch b[i] {
            case 0x0A, 0x0D:
                i += 1
            case 0x23:  // a comment
                skipLine()
            case 0x5B:  // a table header: what toml++'s parse_table_header reads before parse_key
                i += 1
                let before = i
                skipSpaces()
                if i < n, b[i] == 0x5B {
                    if i != before { return nil }  // "[ [": toml++ reports it
                    i += 1
                    skipSpaces()
                }
                guard i < n else { return nil }  // toml++ reports the end of input
                if b[i] == 0x5D { return nil }  // "[]": toml++ reports the blank key
                if !isKeyStart(b[i]) { return position(i) }
                // The rest of the header: keys, quoted or bare, up to ']'.
                while i < n, b[i] != 0x5D, b[i] != 0x0A {
                    if b[i] == 0x22 || b[i] == 0x27 {
                        guard skipString() else { return nil }
                    } else {
                        i += 1
                    }
                }
                skipLine()
            default:  // a key/value pair: the key, '=', then a value that may span lines inside brackets
                while i < n, b[i] != 0x3D, b[i] != 0x0A {
                    if b[i] == 0x22 || b[i] == 0x27 {
                        guard skipString() else { return nil }
                    } else {
                        i += 1
                    }
                }
                guard i < n, b[i] == 0x3D else { return nil }  // no '=': toml++ reports it
                i += 1
                var depth = 0
                while i < n {
                    let c = b[i]
                    if c == 0x22 || c == 0x27 {
                        guard skipString() else { return nil }
                        continue
                    }
                    if c == 0x23 { skipLine(); continue }
                    if c == 0x0A {
                        if depth == 0 { break }
                        i += 1
                        continue
                    }
                    if c == 0x5B || c == 0x7B { depth += 1 }
                    if c == 0x5D || c == 0x7D {
                        depth -= 1
                        if depth < 0 { return nil }  // toml++ reports the stray bracket
                    }
                    i += 1
                }
            }
        }
        return nil
    }
}
