/// A compact binary encoding of a validated catalog, for the catalog cache. Strings go into a table once and
/// are referenced by index (so the decoded checks share their storage). Every read is bounds-checked: a
/// truncated or damaged entry decodes to nil, never to a crash. A check is its fields in `CheckField.all`'s
/// order, each written and read by its row; the values inside them are `CatalogCodable`. The magic names the
/// format: an entry of another version is not read (the catalog is parsed again and the entry replaced).
enum CatalogCodec {
    static let magic: [UInt8] = Array("DOCTORC5".utf8)

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

        /// Name/value pairs (a check's framework → controls, a probe's parameters).
        mutating func pairs<A: CatalogCodable, B: CatalogCodable>(_ pairs: [(A, B)]) {
            uint(UInt64(pairs.count))
            for (first, second) in pairs {
                first.write(to: &self)
                second.write(to: &self)
            }
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

    static func encode(_ check: Check, _ w: inout Writer) {
        let writers = CheckField.writers
        for index in writers.indices { writers[index](check.values, &w) }
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

        mutating func pairs<A: CatalogCodable, B: CatalogCodable>() throws(Corrupt) -> [(A, B)] {
            let n = try count()
            var out: [(A, B)] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append((try A.read(from: &self), try B.read(from: &self))) }
            return out
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

    static func decodeCheck(_ r: inout Reader) throws(Corrupt) -> Check {
        var values = CheckValues()
        let readers = CheckField.readers
        for index in readers.indices { try readers[index](&r, &values) }
        return Check(values)
    }
}
