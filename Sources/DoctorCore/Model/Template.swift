/// A string with `${NAME}` references. `${NAME:-fallback}` uses `fallback` when NAME is undefined or empty (as a
/// shell does), and the fallback is a template itself: `${XDG_CONFIG_HOME:-${HOME}/.config}`. `$$` is a literal
/// dollar sign. Names are `[A-Za-z_][A-Za-z0-9_]*`.
public struct Template: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case literal(String)
        case variable(name: String, fallback: Template?)
    }

    let parts: [Part]
    public let source: String

    /// The variable names the template uses, in order (a fallback's after its own variable).
    public var variableNames: [String] {
        parts.flatMap { part -> [String] in
            if case .variable(let name, let fallback) = part { return [name] + (fallback?.variableNames ?? []) }
            return []
        }
    }

    /// Parses `text`. Returns nil when the text has no `$` at all (the common case costs one scan).
    public static func parse(_ text: String) throws(TemplateError) -> Template? {
        guard text.utf8.contains(UInt8(ascii: "$")) else { return nil }
        var parts: [Part] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let char = text[index]
            guard char == "$" else {
                literal.append(char)
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            if next < text.endIndex, text[next] == "$" {
                literal.append("$")
                index = text.index(after: next)
                continue
            }
            guard next < text.endIndex, text[next] == "{" else {
                literal.append("$")
                index = next
                continue
            }
            // The matching brace: a fallback may hold references of its own.
            var depth = 0
            var cursor = text.index(after: next)
            var found: String.Index?
            while cursor < text.endIndex {
                let c = text[cursor]
                if c == "$", text.index(after: cursor) < text.endIndex {
                    let following = text[text.index(after: cursor)]
                    if following == "{" || following == "$" {
                        if following == "{" { depth += 1 }
                        cursor = text.index(cursor, offsetBy: 2)
                        continue
                    }
                }
                if c == "}" {
                    if depth == 0 { found = cursor; break }
                    depth -= 1
                }
                cursor = text.index(after: cursor)
            }
            guard let close = found else {
                throw TemplateError(message: "unterminated '${' in '\(text)'")
            }
            let body = text[text.index(after: next)..<close]
            let name: Substring
            var fallback: Template?
            if let colon = body.firstIndex(of: ":"), body[body.index(after: colon)...].hasPrefix("-") {
                name = body[..<colon]
                let fallbackText = String(body[body.index(colon, offsetBy: 2)...])
                fallback = try Template.parse(fallbackText) ?? Template(parts: fallbackText.isEmpty ? [] : [.literal(fallbackText)], source: fallbackText)
            } else {
                name = body
            }
            guard Template.isValidName(name) else {
                throw TemplateError(message: "invalid variable name '\(name)' in '\(text)' (use letters, digits and _)")
            }
            if !literal.isEmpty {
                parts.append(.literal(literal))
                literal = ""
            }
            parts.append(.variable(name: String(name), fallback: fallback))
            index = text.index(after: close)
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return Template(parts: parts, source: text)
    }

    static func isValidName(_ name: Substring) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || (first | 0x20 >= 97 && first | 0x20 <= 122) else {
            return false
        }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) || ($0 >= 48 && $0 <= 57) }
    }

    /// Expands the template; throws with the first undefined variable's name.
    public func expand(_ variables: Variables) throws(UndefinedVariable) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .variable(let name, let fallback):
                if let value = variables[name], !(fallback != nil && value.isEmpty) {
                    out += value
                } else if let fallback {
                    out += try fallback.expand(variables)
                } else {
                    throw UndefinedVariable(name: name)
                }
            }
        }
        return out
    }
}
