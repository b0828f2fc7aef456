/// A string with `${NAME}` references. `${NAME:-fallback}` uses `fallback` when NAME is undefined; `$$` is a
/// literal dollar sign. Names are `[A-Za-z_][A-Za-z0-9_]*`.
public struct Template: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case literal(String)
        case variable(name: String, fallback: String?)
    }

    let parts: [Part]
    public let source: String

    /// The variable names the template uses, in order.
    public var variableNames: [String] {
        parts.compactMap { if case .variable(let name, _) = $0 { name } else { nil } }
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
            guard let close = text[next...].firstIndex(of: "}") else {
                throw TemplateError(message: "unterminated '${' in '\(text)'")
            }
            let body = text[text.index(after: next)..<close]
            let name: Substring
            var fallback: String?
            if let colon = body.firstIndex(of: ":"), body[body.index(after: colon)...].hasPrefix("-") {
                name = body[..<colon]
                fallback = String(body[body.index(colon, offsetBy: 2)...])
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
                if let value = variables[name] {
                    out += value
                } else if let fallback {
                    out += fallback
                } else {
                    throw UndefinedVariable(name: name)
                }
            }
        }
        return out
    }
}

public struct TemplateError: Error, Sendable {
    public var message: String
}

public struct UndefinedVariable: Error, Sendable {
    public var name: String
}
