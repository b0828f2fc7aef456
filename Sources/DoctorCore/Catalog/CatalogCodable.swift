// CatalogCodable and the conformances of the model's types: each type's bytes are defined here, once, next to
// their reading (one extension per type keeps the two side by side).

/// A value the compiled catalog (`CatalogCodec`) stores: how it writes itself and how it reads itself back.
/// A check's own fields are not listed here: `CheckField.all` writes and reads them in its order.
protocol CatalogCodable: SendableMetatype {
    func write(to w: inout CatalogCodec.Writer)
    static func read(from r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> Self
}

extension String: CatalogCodable {
    func write(to w: inout CatalogCodec.Writer) { w.string(self) }
    static func read(from r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> String { try r.string() }
}

extension Double: CatalogCodable {
    func write(to w: inout CatalogCodec.Writer) { w.double(self) }
    static func read(from r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> Double { try r.double() }
}

extension Optional: CatalogCodable where Wrapped: CatalogCodable {
    func write(to w: inout CatalogCodec.Writer) {
        w.bool(self != nil)
        if let self { self.write(to: &w) }
    }

    static func read(from r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> Wrapped? {
        try r.bool() ? try Wrapped.read(from: &r) : nil
    }
}

extension Array: CatalogCodable where Element: CatalogCodable {
    func write(to w: inout CatalogCodec.Writer) {
        w.uint(UInt64(count))
        for element in self { element.write(to: &w) }
    }

    static func read(from r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> [Element] {
        let n = try r.count()
        var out: [Element] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try Element.read(from: &r)) }
        return out
    }
}

extension Severity: CatalogCodable {
    func write(to w: inout CatalogCodec.Writer) { w.string(rawValue) }

    static func read(from r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> Severity {
        guard let severity = Severity(rawValue: try r.string()) else { throw CatalogCodec.Corrupt() }
        return severity
    }
}

extension SourceMark: CatalogCodable {
    func write(to w: inout CatalogCodec.Writer) { w.mark(self) }
    static func read(from r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> SourceMark { try r.mark() }
}

extension SourceLocation: CatalogCodable {
    func write(to w: inout CatalogCodec.Writer) {
        w.string(file)
        w.mark(mark)
    }

    static func read(from r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> SourceLocation {
        SourceLocation(file: try r.string(), mark: try r.mark())
    }
}

extension ProbeInvocation: CatalogCodable {
    func write(to w: inout CatalogCodec.Writer) {
        w.string(type)
        w.mark(mark)
        w.pairs(parameters)
    }

    static func read(from r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> ProbeInvocation {
        let type = try r.string(), mark = try r.mark()
        return ProbeInvocation(type: type, parameters: try r.pairs(), mark: mark)
    }
}

extension Condition: CatalogCodable {
    func write(to w: inout CatalogCodec.Writer) {
        w.string(op.rawValue)
        operand.write(to: &w)
        regex.map(\.pattern).write(to: &w)
        w.mark(mark)
    }

    static func read(from r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> Condition {
        guard let op = Operator(rawValue: try r.string()) else { throw CatalogCodec.Corrupt() }
        let operand = try Setting.read(from: &r)
        var regex: CompiledRegex?
        if let pattern = try String?.read(from: &r) {
            guard let compiled = try? CompiledRegex(pattern) else { throw CatalogCodec.Corrupt() }
            regex = compiled
        }
        return Condition(op: op, operand: operand, regex: regex, mark: try r.mark())
    }
}

extension Expectation: CatalogCodable {
    func write(to w: inout CatalogCodec.Writer) {
        w.string(observation)
        type.write(to: &w)
        w.mark(mark)
        must.write(to: &w)
        warnIf.write(to: &w)
        failIf.write(to: &w)
    }

    static func read(from r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> Expectation {
        let observation = try r.string(), type = try ValueType.read(from: &r), mark = try r.mark()
        let must = try [Condition].read(from: &r), warnIf = try [Condition].read(from: &r), failIf = try [Condition].read(from: &r)
        return Expectation(observation: observation, type: type, must: must, warnIf: warnIf, failIf: failIf, mark: mark)
    }
}

extension WhenCondition: CatalogCodable {
    func write(to w: inout CatalogCodec.Writer) {
        switch self {
        case .envSet(let name): w.byte(0); w.string(name)
        case .envUnset(let name): w.byte(1); w.string(name)
        case .envEquals(let name, let value): w.byte(2); w.string(name); value.write(to: &w)
        case .pathExists(let path): w.byte(3); path.write(to: &w)
        case .pathAbsent(let path): w.byte(4); path.write(to: &w)
        }
    }

    static func read(from r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> WhenCondition {
        switch try r.byte() {
        case 0: return .envSet(try r.string())
        case 1: return .envUnset(try r.string())
        case 2: return .envEquals(try r.string(), try Setting.read(from: &r))
        case 3: return .pathExists(try Setting.read(from: &r))
        case 4: return .pathAbsent(try Setting.read(from: &r))
        default: throw CatalogCodec.Corrupt()
        }
    }
}

extension CheckSource: CatalogCodable {
    func write(to w: inout CatalogCodec.Writer) {
        w.string(fact)
        upstream.write(to: &w)
        policy.write(to: &w)
    }

    static func read(from r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> CheckSource {
        CheckSource(fact: try r.string(), upstream: try String?.read(from: &r), policy: try String?.read(from: &r))
    }
}

extension Setting: CatalogCodable {
    func write(to w: inout CatalogCodec.Writer) {
        switch self {
        case .value(let value): w.byte(0); value.write(to: &w)
        case .template(let template, let type, let mark): w.byte(1); w.string(template.source); type.write(to: &w); w.mark(mark)
        case .list(let items, let mark): w.byte(2); w.mark(mark); items.write(to: &w)
        case .map(let pairs, let mark): w.byte(3); w.mark(mark); w.pairs(pairs)
        }
    }

    static func read(from r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> Setting {
        try r.nested { (r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> Setting in
            switch try r.byte() {
            case 0: return .value(try Value.read(from: &r))
            case 1:
                guard let template = try? Template.parse(try r.string()) else { throw CatalogCodec.Corrupt() }
                return .template(template, try ValueType.read(from: &r), try r.mark())
            case 2:
                let mark = try r.mark()
                return .list(try [Setting].read(from: &r), mark)
            case 3:
                let mark = try r.mark()
                return .map(try r.pairs(), mark)
            default: throw CatalogCodec.Corrupt()
            }
        }
    }
}

extension Value: CatalogCodable {
    func write(to w: inout CatalogCodec.Writer) {
        switch self {
        case .null: w.byte(0)
        case .bool(let flag): w.byte(1); w.bool(flag)
        case .int(let number): w.byte(2); w.int(number)
        case .double(let number): w.byte(3); w.double(number)
        case .string(let text): w.byte(4); w.string(text)
        case .principal(let id, let name): w.byte(5); w.int(id); name.write(to: &w)
        case .list(let items): w.byte(6); items.write(to: &w)
        }
    }

    static func read(from r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> Value {
        try r.nested { (r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> Value in
            switch try r.byte() {
            case 0: return .null
            case 1: return .bool(try r.bool())
            case 2: return .int(try r.int())
            case 3: return .double(try r.double())
            case 4: return .string(try r.string())
            case 5: return .principal(id: try r.int(), name: try String?.read(from: &r))
            case 6: return .list(try [Value].read(from: &r))
            default: throw CatalogCodec.Corrupt()
            }
        }
    }
}

extension ValueType: CatalogCodable {
    func write(to w: inout CatalogCodec.Writer) {
        switch self {
        case .string: w.byte(0)
        case .bool: w.byte(1)
        case .integer: w.byte(2)
        case .number: w.byte(3)
        case .duration: w.byte(4)
        case .byteSize: w.byte(5)
        case .fileMode: w.byte(6)
        case .principal: w.byte(7)
        case .enumeration(let words): w.byte(8); words.write(to: &w)
        case .regex: w.byte(9)
        case .list(let element): w.byte(10); element.write(to: &w)
        case .oneOrMany(let element): w.byte(11); element.write(to: &w)
        case .map(let element): w.byte(12); element.write(to: &w)
        case .dynamic: w.byte(13)
        }
    }

    static func read(from r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> ValueType {
        try r.nested { (r: inout CatalogCodec.Reader) throws(CatalogCodec.Corrupt) -> ValueType in
            switch try r.byte() {
            case 0: return .string
            case 1: return .bool
            case 2: return .integer
            case 3: return .number
            case 4: return .duration
            case 5: return .byteSize
            case 6: return .fileMode
            case 7: return .principal
            case 8: return .enumeration(try [String].read(from: &r))
            case 9: return .regex
            case 10: return .list(try ValueType.read(from: &r))
            case 11: return .oneOrMany(try ValueType.read(from: &r))
            case 12: return .map(try ValueType.read(from: &r))
            case 13: return .dynamic
            default: throw CatalogCodec.Corrupt()
            }
        }
    }
}
