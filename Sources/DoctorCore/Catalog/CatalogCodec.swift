/// A compact binary encoding of a validated catalog, for the catalog cache. Strings go into a table once and
/// are referenced by index (so the decoded checks share their storage). Every read is bounds-checked: a
/// truncated or damaged entry decodes to nil, never to a crash.
enum CatalogCodec {
    static let magic: [UInt8] = Array("DOCTORC4".utf8)

    // MARK: - Writing

    struct Writer {
        var body: [UInt8] = []
        var strings: [String] = []
        var index: [String: Int] = [:]

        mutating func uint(_ value: UInt64) { LEB128.append(value, to: &body) }

        mutating func int(_ value: Int64) { uint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }
        mutating func int(_ value: Int) { int(Int64(value)) }
        mutating func byte(_ value: UInt8) { body.append(value) }
        mutating func bool(_ value: Bool) { body.append(value ? 1 : 0) }
        mutating func double(_ value: Double) { uint(value.bitPattern) }

        mutating func string(_ value: String) {
            if let known = index[value] {
                uint(UInt64(known))
            } else {
                index[value] = strings.count
                uint(UInt64(strings.count))
                strings.append(value)
            }
        }

        mutating func optional(_ value: String?) {
            bool(value != nil)
            if let value { string(value) }
        }

        mutating func strings(_ values: [String]) {
            uint(UInt64(values.count))
            for value in values { string(value) }
        }

        mutating func mark(_ mark: SourceMark) {
            uint(UInt64(mark.line))
            uint(UInt64(mark.column))
        }

        /// Header, string table, body.
        func finish(key: String) -> [UInt8] {
            var head = Writer()
            head.body = CatalogCodec.magic
            var keyCopy = key
            keyCopy.withUTF8 { head.body.append(contentsOf: $0) }
            head.uint(UInt64(strings.count))
            for string in strings {
                var copy = string
                copy.withUTF8 { bytes in
                    head.uint(UInt64(bytes.count))
                    head.body.append(contentsOf: bytes)
                }
            }
            return head.body + body
        }
    }

    static func encode(_ catalog: Catalog, key: String) -> [UInt8] {
        var w = Writer()
        w.strings(catalog.files)
        w.string(catalog.digest)
        w.bool(catalog.defaultTimeout != nil)
        if let timeout = catalog.defaultTimeout { w.double(timeout) }
        w.optional(catalog.upstream)
        w.uint(UInt64(catalog.categories.count))
        for category in catalog.categories {
            w.string(category.id)
            w.string(category.title)
            w.optional(category.description)
        }
        w.uint(UInt64(catalog.frameworks.count))
        for framework in catalog.frameworks {
            w.string(framework.id)
            w.strings(framework.aliases)
            w.string(framework.name)
            w.string(framework.version)
        }
        w.uint(UInt64(catalog.checks.count))
        for check in catalog.checks { encode(check, &w) }
        return w.finish(key: key)
    }

    static func encode(_ expectations: [Expectation], _ w: inout Writer) {
        w.uint(UInt64(expectations.count))
        for expectation in expectations {
            w.string(expectation.observation)
            encode(expectation.type, &w)
            w.mark(expectation.mark)
            for group in [expectation.must, expectation.warnIf, expectation.failIf] {
                w.uint(UInt64(group.count))
                for condition in group {
                    w.string(condition.op.rawValue)
                    encode(condition.operand, &w)
                    w.optional(condition.regex?.pattern)
                    w.mark(condition.mark)
                }
            }
        }
    }

    static func encode(_ check: Check, _ w: inout Writer) {
        w.string(check.id)
        w.string(check.title)
        w.optional(check.description)
        w.optional(check.rationale)
        w.string(check.category)
        w.string(check.severity.rawValue)
        w.uint(UInt64(check.governance.count))
        for entry in check.governance {
            w.string(entry.framework)
            w.strings(entry.controls)
        }
        w.string(check.probe.type)
        w.mark(check.probe.mark)
        w.uint(UInt64(check.probe.parameters.count))
        for parameter in check.probe.parameters {
            w.string(parameter.name)
            encode(parameter.value, &w)
        }
        encode(check.expectations, &w)
        w.uint(UInt64(check.governanceExpectations.count))
        for entry in check.governanceExpectations {
            w.string(entry.framework)
            encode(entry.expectations, &w)
        }
        w.optional(check.remediation)
        w.bool(check.timeout != nil)
        if let timeout = check.timeout { w.double(timeout) }
        w.strings(check.requires)
        w.uint(UInt64(check.when.count))
        for condition in check.when {
            switch condition {
            case .envSet(let name): w.byte(0); w.string(name)
            case .envUnset(let name): w.byte(1); w.string(name)
            case .envEquals(let name, let value): w.byte(2); w.string(name); encode(value, &w)
            case .pathExists(let path): w.byte(3); encode(path, &w)
            case .pathAbsent(let path): w.byte(4); encode(path, &w)
            }
        }
        w.optional(check.whenReason)
        w.strings(check.tags)
        w.uint(UInt64(check.sources.count))
        for source in check.sources {
            w.string(source.fact)
            w.optional(source.upstream)
            w.optional(source.policy)
        }
        w.string(check.location.file)
        w.mark(check.location.mark)
    }

    static func encode(_ setting: Setting, _ w: inout Writer) {
        switch setting {
        case .value(let value): w.byte(0); encode(value, &w)
        case .template(let template, let type, let mark): w.byte(1); w.string(template.source); encode(type, &w); w.mark(mark)
        case .list(let items, let mark):
            w.byte(2)
            w.mark(mark)
            w.uint(UInt64(items.count))
            for item in items { encode(item, &w) }
        case .map(let pairs, let mark):
            w.byte(3)
            w.mark(mark)
            w.uint(UInt64(pairs.count))
            for pair in pairs {
                w.string(pair.key)
                encode(pair.value, &w)
            }
        }
    }

    static func encode(_ value: Value, _ w: inout Writer) {
        switch value {
        case .null: w.byte(0)
        case .bool(let flag): w.byte(1); w.bool(flag)
        case .int(let number): w.byte(2); w.int(number)
        case .double(let number): w.byte(3); w.double(number)
        case .string(let text): w.byte(4); w.string(text)
        case .principal(let id, let name): w.byte(5); w.int(id); w.optional(name)
        case .list(let items):
            w.byte(6)
            w.uint(UInt64(items.count))
            for item in items { encode(item, &w) }
        }
    }

    static func encode(_ type: ValueType, _ w: inout Writer) {
        switch type {
        case .string: w.byte(0)
        case .bool: w.byte(1)
        case .integer: w.byte(2)
        case .number: w.byte(3)
        case .duration: w.byte(4)
        case .byteSize: w.byte(5)
        case .fileMode: w.byte(6)
        case .principal: w.byte(7)
        case .enumeration(let words): w.byte(8); w.strings(words)
        case .regex: w.byte(9)
        case .list(let element): w.byte(10); encode(element, &w)
        case .oneOrMany(let element): w.byte(11); encode(element, &w)
        case .map(let element): w.byte(12); encode(element, &w)
        case .dynamic: w.byte(13)
        }
    }

    // MARK: - Reading

    struct Corrupt: Error {}

    struct Reader {
        let bytes: [UInt8]
        var position = 0
        var strings: [String] = []
        var depth = 0

        mutating func byte() throws(Corrupt) -> UInt8 {
            guard position < bytes.count else { throw Corrupt() }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func uint() throws(Corrupt) -> UInt64 {
            do throws(LEB128.Failure) {
                return try LEB128.read(bytes, at: &position)
            } catch {
                throw Corrupt()
            }
        }

        mutating func count() throws(Corrupt) -> Int {
            let value = try uint()
            guard value <= UInt64(bytes.count) else { throw Corrupt() }
            return Int(value)
        }

        mutating func int() throws(Corrupt) -> Int64 {
            let raw = try uint()
            return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
        }

        mutating func bool() throws(Corrupt) -> Bool { try byte() != 0 }
        mutating func double() throws(Corrupt) -> Double { Double(bitPattern: try uint()) }

        mutating func string() throws(Corrupt) -> String {
            let index = try count()
            guard index < strings.count else { throw Corrupt() }
            return strings[index]
        }

        mutating func optional() throws(Corrupt) -> String? { try bool() ? try string() : nil }

        mutating func stringList() throws(Corrupt) -> [String] {
            let n = try count()
            var out: [String] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try string()) }
            return out
        }

        mutating func mark() throws(Corrupt) -> SourceMark {
            SourceMark(line: try count(), column: try count())
        }

        /// Guards recursion against a crafted entry.
        mutating func nested<T>(_ body: (inout Reader) throws(Corrupt) -> T) throws(Corrupt) -> T {
            depth += 1
            defer { depth -= 1 }
            guard depth < 64 else { throw Corrupt() }
            return try body(&self)
        }
    }

    /// Decodes an entry written for `key`; nil when it is damaged or written for another key.
    static func decode(_ bytes: [UInt8], key: String) -> Catalog? {
        var r = Reader(bytes: bytes)
        do throws(Corrupt) {
            let keyBytes = Array(key.utf8)
            guard bytes.count > magic.count + keyBytes.count,
                Array(bytes[0..<magic.count]) == magic,
                Array(bytes[magic.count..<(magic.count + keyBytes.count)]) == keyBytes
            else { return nil }
            r.position = magic.count + keyBytes.count
            let stringCount = try r.count()
            r.strings.reserveCapacity(stringCount)
            for _ in 0..<stringCount {
                let length = try r.count()
                guard r.position + length <= bytes.count else { throw Corrupt() }
                r.strings.append(bytes.withUnsafeBufferPointer { String(decoding: $0[r.position..<(r.position + length)], as: UTF8.self) })
                r.position += length
            }
            let files = try r.stringList()
            let digest = try r.string()
            let defaultTimeout = try r.bool() ? try r.double() : nil
            let upstream = try r.optional()
            var categories: [CategoryInfo] = []
            for _ in 0..<(try r.count()) {
                categories.append(CategoryInfo(id: try r.string(), title: try r.string(), description: try r.optional()))
            }
            var frameworks: [FrameworkRef] = []
            for _ in 0..<(try r.count()) {
                frameworks.append(FrameworkRef(id: try r.string(), aliases: try r.stringList(), name: try r.string(), version: try r.string()))
            }
            let count = try r.count()
            var checks: [Check] = []
            checks.reserveCapacity(count)
            for _ in 0..<count { checks.append(try decodeCheck(&r)) }
            guard r.position == bytes.count else { return nil }
            var catalog = Catalog(checks: checks, files: files, digest: digest, categories: categories, defaultTimeout: defaultTimeout, upstream: upstream)
            catalog.frameworks = frameworks
            return catalog
        } catch {
            return nil
        }
    }

    static func decodeExpectations(_ r: inout Reader) throws(Corrupt) -> [Expectation] {
        var expectations: [Expectation] = []
        for _ in 0..<(try r.count()) {
            let observation = try r.string()
            let type = try decodeType(&r)
            let mark = try r.mark()
            var groups: [[Condition]] = []
            for _ in 0..<3 {
                var group: [Condition] = []
                for _ in 0..<(try r.count()) {
                    guard let op = Operator(rawValue: try r.string()) else { throw Corrupt() }
                    let operand = try decodeSetting(&r)
                    let pattern = try r.optional()
                    let regex: CompiledRegex?
                    if let pattern { regex = try? CompiledRegex(pattern) } else { regex = nil }
                    if pattern != nil && regex == nil { throw Corrupt() }
                    group.append(Condition(op: op, operand: operand, regex: regex, mark: try r.mark()))
                }
                groups.append(group)
            }
            expectations.append(Expectation(observation: observation, type: type, must: groups[0], warnIf: groups[1], failIf: groups[2], mark: mark))
        }
        return expectations
    }

    static func decodeCheck(_ r: inout Reader) throws(Corrupt) -> Check {
        let id = try r.string(), title = try r.string(), description = try r.optional(), rationale = try r.optional()
        let category = try r.string()
        guard let severity = Severity(rawValue: try r.string()) else { throw Corrupt() }
        var governance: [(framework: String, controls: [String])] = []
        for _ in 0..<(try r.count()) { governance.append((try r.string(), try r.stringList())) }
        let probeType = try r.string()
        let probeMark = try r.mark()
        var parameters: [(name: String, value: Setting)] = []
        for _ in 0..<(try r.count()) { parameters.append((try r.string(), try decodeSetting(&r))) }
        let expectations = try decodeExpectations(&r)
        var governanceExpectations: [(framework: String, expectations: [Expectation])] = []
        for _ in 0..<(try r.count()) { governanceExpectations.append((try r.string(), try decodeExpectations(&r))) }
        let remediation = try r.optional()
        let timeout = try r.bool() ? try r.double() : nil
        let requires = try r.stringList()
        var when: [WhenCondition] = []
        for _ in 0..<(try r.count()) {
            switch try r.byte() {
            case 0: when.append(.envSet(try r.string()))
            case 1: when.append(.envUnset(try r.string()))
            case 2: when.append(.envEquals(try r.string(), try decodeSetting(&r)))
            case 3: when.append(.pathExists(try decodeSetting(&r)))
            case 4: when.append(.pathAbsent(try decodeSetting(&r)))
            default: throw Corrupt()
            }
        }
        let whenReason = try r.optional()
        let tags = try r.stringList()
        var sources: [CheckSource] = []
        for _ in 0..<(try r.count()) { sources.append(CheckSource(fact: try r.string(), upstream: try r.optional(), policy: try r.optional())) }
        let location = SourceLocation(file: try r.string(), mark: try r.mark())
        return Check(
            id: id, title: title, description: description, rationale: rationale, category: category, severity: severity,
            governance: governance, probe: ProbeInvocation(type: probeType, parameters: parameters, mark: probeMark),
            expectations: expectations, governanceExpectations: governanceExpectations, remediation: remediation,
            timeout: timeout, requires: requires, when: when,
            whenReason: whenReason, tags: tags, sources: sources, location: location)
    }

    static func decodeSetting(_ r: inout Reader) throws(Corrupt) -> Setting {
        try r.nested { (r: inout Reader) throws(Corrupt) -> Setting in
            switch try r.byte() {
            case 0: return .value(try decodeValue(&r))
            case 1:
                let source = try r.string()
                guard let template = try? Template.parse(source) else { throw Corrupt() }
                return .template(template, try decodeType(&r), try r.mark())
            case 2:
                let mark = try r.mark()
                var items: [Setting] = []
                for _ in 0..<(try r.count()) { items.append(try decodeSetting(&r)) }
                return .list(items, mark)
            case 3:
                let mark = try r.mark()
                var pairs: [(key: String, value: Setting)] = []
                for _ in 0..<(try r.count()) { pairs.append((try r.string(), try decodeSetting(&r))) }
                return .map(pairs, mark)
            default: throw Corrupt()
            }
        }
    }

    static func decodeValue(_ r: inout Reader) throws(Corrupt) -> Value {
        try r.nested { (r: inout Reader) throws(Corrupt) -> Value in
            switch try r.byte() {
            case 0: return .null
            case 1: return .bool(try r.bool())
            case 2: return .int(try r.int())
            case 3: return .double(try r.double())
            case 4: return .string(try r.string())
            case 5: return .principal(id: try r.int(), name: try r.optional())
            case 6:
                var items: [Value] = []
                for _ in 0..<(try r.count()) { items.append(try decodeValue(&r)) }
                return .list(items)
            default: throw Corrupt()
            }
        }
    }

    static func decodeType(_ r: inout Reader) throws(Corrupt) -> ValueType {
        try r.nested { (r: inout Reader) throws(Corrupt) -> ValueType in
            switch try r.byte() {
            case 0: return .string
            case 1: return .bool
            case 2: return .integer
            case 3: return .number
            case 4: return .duration
            case 5: return .byteSize
            case 6: return .fileMode
            case 7: return .principal
            case 8: return .enumeration(try r.stringList())
            case 9: return .regex
            case 10: return .list(try decodeType(&r))
            case 11: return .oneOrMany(try decodeType(&r))
            case 12: return .map(try decodeType(&r))
            case 13: return .dynamic
            default: throw Corrupt()
            }
        }
    }
}
