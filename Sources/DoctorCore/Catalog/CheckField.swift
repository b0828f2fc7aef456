/// One field of a check: its key in a check file, what it means, its JSON Schema, how the loader decodes it,
/// how the compiled catalog stores it and how `doctor explain` shows it. `CheckField.all` is the one list of a
/// check's fields: the decoder's known keys (and its did-you-mean), the schema's properties, the catalog cache
/// and explain all iterate it, so none of them can leave a field out. A test holds it to `CheckValues`.
public struct CheckField: Sendable {
    /// Its key in a check file; nil for the one field the loader records itself (where the check is written).
    public let key: String?
    /// What it holds, for the schema (editors show it).
    public let summary: String
    public let required: Bool
    /// The `CheckValues` properties it fills.
    let properties: [String]
    /// The schema of its value (without the summary, which the generator adds); nil without a key.
    let schema: (@Sendable (SchemaGenerator) -> JSONValue)?
    let decoding: Decoding?
    let codec: Codec
    let explain: [Explain]

    init(
        _ key: String?, _ summary: String, required: Bool = false, properties: [String], schema: (@Sendable (SchemaGenerator) -> JSONValue)?,
        decoding: Decoding?, codec: Codec, explain: [Explain]
    ) {
        self.key = key
        self.summary = summary
        self.required = required
        self.properties = properties
        self.schema = schema
        self.decoding = decoding
        self.codec = codec
        self.explain = explain
    }

    /// How the loader decodes the field from its node.
    enum Decoding: Sendable {
        /// Decoded where it stands, in the order the file gives the keys.
        case now(@Sendable (inout CheckDecoder, YAMLNode, inout CheckValues) -> Void)
        /// Decoded once the rest of the check is, when its probe is known (expectations name the probe's
        /// observations; it is given the probe's spec and the observations the check names): the node is nil
        /// when the check leaves the key out.
        case afterProbe(@Sendable (inout CheckDecoder, YAMLNode?, ProbeSpec, [String], inout CheckValues) -> Void)
    }

    /// How the compiled catalog writes the field and reads it back.
    struct Codec: Sendable {
        let write: @Sendable (CheckValues, inout CatalogCodec.Writer) -> Void
        let read: @Sendable (inout CatalogCodec.Reader, inout CheckValues) throws(CatalogCodec.Corrupt) -> Void

        static func value<T: CatalogCodable>(
            _ get: @escaping @Sendable (CheckValues) -> T, _ set: @escaping @Sendable (inout CheckValues, T) -> Void
        ) -> Codec {
            Codec(write: { get($0).write(to: &$1) }, read: { (r, values) throws(CatalogCodec.Corrupt) in set(&values, try T.read(from: &r)) })
        }

        static func pairs<A: CatalogCodable, B: CatalogCodable>(
            _ get: @escaping @Sendable (CheckValues) -> [(A, B)], _ set: @escaping @Sendable (inout CheckValues, [(A, B)]) -> Void
        ) -> Codec {
            Codec(write: { $1.pairs(get($0)) }, read: { (r, values) throws(CatalogCodec.Corrupt) in set(&values, try r.pairs()) })
        }

        /// One codec after the other, for a field that fills more than one property.
        static func all(_ codecs: Codec...) -> Codec {
            Codec(
                write: { values, w in for codec in codecs { codec.write(values, &w) } },
                read: { (r, values) throws(CatalogCodec.Corrupt) in for codec in codecs { try codec.read(&r, &values) } })
        }
    }

    /// Part of what `doctor explain` prints for the field.
    struct Explain: Sendable {
        /// Where in the explanation a part goes: places in this order, fields in table order within a place.
        enum Place: CaseIterable, Sendable {
            case heading, classification, execution, text, probe, expectations, remediation, sources, evidence
        }

        let place: Place
        /// A labelled line (`  severity:    critical`), left out when its text is empty; nil: a block printed as it is.
        let label: String?
        let text: @Sendable (Check, ExplainContext) -> String?

        static func line(_ place: Place, _ label: String, _ text: @escaping @Sendable (Check, ExplainContext) -> String?) -> Explain {
            Explain(place: place, label: label, text: text)
        }

        static func block(_ place: Place, _ text: @escaping @Sendable (Check, ExplainContext) -> String?) -> Explain {
            Explain(place: place, label: nil, text: text)
        }
    }

    /// What `explain` shows a check with: its catalog (category titles, the default timeout, the upstream pin),
    /// the governance frameworks (control titles) and the probes (summaries, parameter types).
    public struct ExplainContext: Sendable {
        public var catalog: Catalog
        public var governance: GovernanceCatalog
        public var probes: ProbeRegistry

        public init(catalog: Catalog, governance: GovernanceCatalog = GovernanceCatalog(), probes: ProbeRegistry) {
            self.catalog = catalog
            self.governance = governance
            self.probes = probes
        }
    }

    /// Everything about one check, as `doctor explain` prints it.
    public static func explain(_ check: Check, _ context: ExplainContext) -> String {
        var out = ""
        for place in Explain.Place.allCases {
            for field in all {
                for part in field.explain where part.place == place {
                    guard let text = part.text(check, context) else { continue }
                    guard let label = part.label else {
                        out += text
                        continue
                    }
                    if text.isEmpty { continue }
                    let name = label + ":"
                    out += "  " + name + String(repeating: " ", count: max(0, 13 - name.count)) + text + "\n"
                }
            }
        }
        return out
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }

    /// The keys of a check file, in table order.
    public static let keys: [String] = all.compactMap(\.key)
    public static let requiredKeys: [String] = all.filter(\.required).compactMap(\.key)
    /// What the loops over every check use, taken out of the table once: a `CheckField` is large to copy.
    static let decodings: [String: Decoding] = Dictionary(uniqueKeysWithValues: all.compactMap { field in
        guard let key = field.key, let decoding = field.decoding else { return nil }
        return (key, decoding)
    })
    static let afterProbe: [(key: String, decode: @Sendable (inout CheckDecoder, YAMLNode?, ProbeSpec, [String], inout CheckValues) -> Void)] =
        all.compactMap { field in
            guard let key = field.key, case .afterProbe(let decode)? = field.decoding else { return nil }
            return (key, decode)
        }
    static let writers = all.map(\.codec.write)
    static let readers = all.map(\.codec.read)
}
