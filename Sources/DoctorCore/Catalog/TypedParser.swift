/// Parses catalog scalars and nodes against a declared `ValueType`. The loader uses it at load time (with exact
/// positions); `Setting.resolve` uses it at run time for values that held variables.
public enum TypedParser {
    public struct Problem: Error, Sendable {
        public var message: String
        public var mark: SourceMark?
        public var hint: String?

        init(_ message: String, at mark: SourceMark? = nil, hint: String? = nil) {
            self.message = message
            self.mark = mark
            self.hint = hint
        }
    }

    /// Parses the text of one scalar. `plain` is false for quoted scalars, which are always strings in YAML.
    public static func parse(text: String, plain: Bool, type: ValueType) -> Result<Value, Problem> {
        func found() -> String {
            if !plain { return "found the string \"\(text)\"" }
            return "found '\(text)'"
        }
        switch type {
        case .string:
            return .success(.string(text))
        case .bool:
            if plain && (text == "true" || text == "True" || text == "TRUE") { return .success(.bool(true)) }
            if plain && (text == "false" || text == "False" || text == "FALSE") { return .success(.bool(false)) }
            return .failure(Problem("expected true or false, \(found())"))
        case .integer:
            if plain, let number = integer(text) { return .success(.int(number)) }
            return .failure(Problem("expected an integer, \(found())"))
        case .number:
            if plain, let number = integer(text) { return .success(.int(number)) }
            if plain, YAMLCore.isFloat(text), let number = Double(text) { return .success(.double(number)) }
            return .failure(Problem("expected a number, \(found())"))
        case .duration:
            if text == "0" { return .success(.double(0)) }
            if let seconds = DurationText.seconds(text) { return .success(.double(seconds)) }
            if let total = DurationText.sum(text) {
                return .failure(Problem("the duration '\(text)' is \(total.isFinite ? "longer than" : "beyond") what doctor accepts (at most \(DurationText.format(seconds: DurationText.longest)), or infinity where an observation may be unlimited)"))
            }
            if plain, integer(text) != nil {
                return .failure(Problem("expected a duration with a unit, found '\(text)'", hint: "write '\(text)s'"))
            }
            return .failure(Problem("expected a duration such as 2s, 250ms or 1m30s, \(found())"))
        case .byteSize:
            if let bytes = ByteSize.bytes(text) { return .success(.int(bytes)) }
            return .failure(Problem("expected a size such as 4096, 64M or 1GiB, \(found())"))
        case .fileMode:
            let digits = text.hasPrefix("0o") ? text.dropFirst(2) : Substring(text)
            if (1...5).contains(digits.count), digits.allSatisfy({ ("0"..."7").contains($0) }),
                let mode = Int64(digits, radix: 8), mode <= 0o7777
            {
                return .success(.int(mode))
            }
            return .failure(Problem("expected an octal mode such as \"0600\", \(found())"))
        case .principal:
            if text.isEmpty { return .failure(Problem("expected a user or group name or id, found an empty string")) }
            if let id = Int64(text), id >= 0 { return .success(.int(id)) }
            return .success(.string(text))
        case .enumeration(let words):
            if words.contains(text) { return .success(.string(text)) }
            let hint = Suggest.closest(to: text, in: words).map { "did you mean '\($0)'?" }
            return .failure(Problem("expected \(type.phrase), found '\(text)'", hint: hint))
        case .regex:
            do {
                _ = try CompiledRegex(text)
                return .success(.string(text))
            } catch {
                return .failure(Problem("invalid regular expression '\(text)': \(error)"))
            }
        case .list, .map:
            return .failure(Problem("expected \(type.phrase), found a single value"))
        case .oneOrMany(let element):
            return parse(text: text, plain: plain, type: element).map { .list([$0]) }
        case .dynamic:
            guard plain else { return .success(.string(text)) }
            if case .success(let flag) = parse(text: text, plain: true, type: .bool) { return .success(flag) }
            if case .success(let number) = parse(text: text, plain: true, type: .number) { return .success(number) }
            return .success(.string(text))
        }
    }

    static func integer(_ text: String) -> Int64? {
        guard YAMLCore.isInteger(text) else { return nil }
        if text.hasPrefix("0x") { return Int64(text.dropFirst(2), radix: 16) }
        if text.hasPrefix("0o") { return Int64(text.dropFirst(2), radix: 8) }
        return Int64(text)
    }

    /// Parses a node into a `Setting`: scalars with `${…}` become templates, checked for syntax now and for
    /// type once expanded; everything else is parsed and type-checked now.
    public static func setting(_ node: YAMLNode, type: ValueType) -> Result<Setting, Problem> {
        switch (node, type) {
        case (.scalar(let scalar), _):
            if scalar.isNull {
                return .failure(Problem("expected \(type.phrase), found null", at: scalar.mark))
            }
            do {
                if let template = try Template.parse(scalar.text) {
                    if case .list = type { return .failure(Problem("expected \(type.phrase), found a single value", at: scalar.mark)) }
                    if case .map = type { return .failure(Problem("expected \(type.phrase), found a single value", at: scalar.mark)) }
                    if case .oneOrMany(let element) = type {
                        return .success(.list([.template(template, element, scalar.mark)], scalar.mark))
                    }
                    return .success(.template(template, type, scalar.mark))
                }
            } catch {
                return .failure(Problem(error.message, at: scalar.mark))
            }
            return parse(text: scalar.text, plain: scalar.style == .plain, type: type)
                .map { Setting.value($0) }
                .mapError { Problem($0.message, at: scalar.mark, hint: $0.hint) }
        case (.sequence(let items, let mark), .list(let element)), (.sequence(let items, let mark), .oneOrMany(let element)):
            var settings: [Setting] = []
            settings.reserveCapacity(items.count)
            var constant: [Value] = []
            for item in items {
                switch setting(item, type: element) {
                case .success(let parsed):
                    settings.append(parsed)
                    if case .value(let value) = parsed { constant.append(value) }
                case .failure(let problem): return .failure(problem)
                }
            }
            return .success(constant.count == settings.count ? .value(.list(constant)) : .list(settings, mark))
        case (.sequence, .dynamic):
            return setting(node, type: .list(.dynamic))
        case (.mapping(let pairs, let mark), .map(let element)):
            var settings: [(key: String, value: Setting)] = []
            for pair in pairs {
                switch setting(pair.value, type: element) {
                case .success(let parsed): settings.append((pair.key.text, parsed))
                case .failure(let problem): return .failure(problem)
                }
            }
            return .success(.map(settings, mark))
        default:
            return .failure(Problem("expected \(type.phrase), found \(node.kindDescription)", at: node.mark))
        }
    }
}
