/// A typed value from the catalog. Values without variables are parsed and checked at load time; values with
/// `${…}` keep their template and are parsed against their type once the variables are known.
public indirect enum Setting: Sendable {
    case value(Value)
    case template(Template, ValueType, SourceMark)
    case list([Setting], SourceMark)
    case map([(key: String, value: Setting)], SourceMark)

    /// Resolves variables and parses templated values. `field` names the place for messages (`probe.path`).
    public func resolve(_ variables: Variables, field fieldName: @autoclosure () -> String) throws(ResolutionError) -> Value {
        switch self {
        case .value(let value):
            return value
        case .template(let template, let type, let mark):
            let field = fieldName()
            let text: String
            do {
                text = try template.expand(variables)
            } catch {
                throw ResolutionError(
                    field: field, mark: mark, message: "undefined variable ${\(error.name)} in \(field)")
            }
            switch TypedParser.parse(text: text, plain: true, type: type) {
            case .success(let value): return value
            case .failure(let problem):
                throw ResolutionError(
                    field: field, mark: mark,
                    message: "\(field) is '\(text)' after expanding '\(template.source)': \(problem.message)")
            }
        case .list(let items, _):
            var values: [Value] = []
            values.reserveCapacity(items.count)
            let field = fieldName()
            for item in items { values.append(try item.resolve(variables, field: field)) }
            return .list(values)
        case .map(let pairs, _):
            let field = fieldName()
            var values: [Value] = []
            for pair in pairs {
                values.append(.list([.string(pair.key), try pair.value.resolve(variables, field: "\(field).\(pair.key)")]))
            }
            return .list(values)
        }
    }

    /// True when the value needs variables to be known.
    public var hasVariables: Bool {
        switch self {
        case .value: false
        case .template: true
        case .list(let items, _): items.contains { $0.hasVariables }
        case .map(let pairs, _): pairs.contains { $0.value.hasVariables }
        }
    }
}

extension Setting {
    /// The value as the catalog wrote it (templates unexpanded), for `explain`.
    public func text(as type: ValueType? = nil) -> String {
        switch self {
        case .value(let value): value.display(as: type)
        case .template(let template, _, _): template.source
        case .list(let items, _): "[" + items.map { $0.text(as: nil) }.joined(separator: ", ") + "]"
        case .map(let pairs, _): "{" + pairs.map { "\($0.key): \($0.value.text(as: nil))" }.joined(separator: ", ") + "}"
        }
    }
}

extension Expectation {
    /// The expectation as written, for `explain` (operands unexpanded).
    public var summary: String {
        func describe(_ conditions: [Condition]) -> String {
            conditions.map { condition in
                let operandType = condition.op.operandType(for: type)
                let shown = condition.op == .matches || condition.op == .notMatches
                    ? "/\(condition.operand.text())/" : condition.operand.text(as: operandType)
                return "\(condition.op.symbol) \(shown)"
            }.joined(separator: " and ")
        }
        var parts: [String] = []
        if !must.isEmpty { parts.append(describe(must)) }
        if !warnIf.isEmpty { parts.append("warn if " + describe(warnIf)) }
        if !failIf.isEmpty { parts.append("fail if " + describe(failIf)) }
        return parts.joined(separator: "; ")
    }
}
