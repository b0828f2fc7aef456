public import DoctorCore
import Foundation

/// A JSON file (such as a vault's `.vault-meta`): valid or not, and the values a check selects by path.
public struct JSONProbe: BoundedProbe {
    enum Parameter {
        static let path = ParameterKey.string("path", "The JSON file.")
        static let glob = ParameterKey.string("glob", "Every file matching a pattern, one subject each (e.g. every profile's `vaults/*.vault-meta`).")
        static let minMatches = ParameterKey.integer("min_matches", default: 1, "With `glob`: fewer matches than this is a failure.")
        static let select = ParameterKey.strings("select", "Paths to observe, each under its own name in `expect`.")
    }

    enum Observed {
        static let exists = ObservationKey("exists", .bool, "The file exists.")
        static let valid = ObservationKey("valid", .bool, "The file is valid JSON.")
        static let type = ObservationKey("type", .enumeration(["object", "array", "string", "number", "boolean", "null"]), "The type of the top-level value.")
    }

    public static let spec = ProbeSpec(
        type: "json",
        summary: "A JSON file is valid, and values selected by path are as expected.",
        discussion: """
            Reads a regular file (never through a symlink, never a FIFO; at most 16 MiB), validates it as JSON \
            (syntax and UTF-8, with the byte where it goes wrong), and observes each path named in `select` \
            under that same name. A path is dot-separated member names and array indexes: `version`, \
            `init_mode.multi-factor.factors`, `enrolled_factors.0.label`; `*` takes every element of an array \
            (or every value of an object), so `enrolled_factors.*.factor_id` is the list of enrolled factor ids.

            Values are typed as JSON has them: numbers, booleans, strings, `null`, arrays as lists, and objects \
            as the list of their member names. A path that leads nowhere is not observed, with the reason.
            """,
        parameters: [Parameter.path, Parameter.glob, Parameter.minMatches, Parameter.select],
        exactlyOneOf: [[Parameter.path, Parameter.glob]],
        observations: [Observed.exists, Observed.valid, Observed.type],
        namedObservations: Parameter.select,
        defaultExpect: "{valid: true}",
        examples: [
            ProbeExample("The vault metadata names known factors", """
                id: vault-meta-valid
                title: Every vault has enrolled factors, all of known kinds
                category: vault-integrity
                severity: high
                probe:
                  type: json
                  glob: "${HOME}/.config/pds/vaults/*.vault-meta"
                  select: [version, enrolled_factors.*.factor_id]
                expect:
                  valid: true
                  version: 1
                  enrolled_factors.*.factor_id: {empty: false, subset_of: [password, ssh-agent, fido2, tpm, fingerprint, yubikey]}
                """,
                .pass(),
                .fail(on: .broken, #"${HOME}/.config/pds/vaults/work.vault-meta: enrolled_factors.*.factor_id is ["password", "retina"], expected with every element in ["password", "ssh-agent", "fido2", "tpm", "fingerprint", "yubikey"]"#)),
        ])

    let targets: FileTargets
    let select: [String]

    public init(parameters: Parameters) throws(ProbeError) {
        targets = try FileTargets(parameters, path: Parameter.path, glob: Parameter.glob, minMatches: Parameter.minMatches)
        select = parameters[Parameter.select] ?? []
        if let bad = select.first(where: { $0.isEmpty || $0.split(separator: ".", omittingEmptySubsequences: false).contains("") }) {
            throw ProbeError("'\(bad)' is not a path such as enrolled_factors.0.label")
        }
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        let (paths, problems) = try targets.resolve(deadline: context.deadline)
        if let reason = targets.nothingToExamine(paths) { return ProbeOutput(observations: [], skipReason: reason) }
        var observations: [Observation] = []
        for path in paths { observations += observe(path).observations }
        return ProbeOutput(observations: observations, problems: problems)
    }

    /// One file.
    func observe(_ path: String) -> ProbeOutput {
        if case .failure(let error) = FileSystem.info(path, follow: false), error.code == ENOENT {
            return ProbeOutput(observations: [Observation(subject: path, values: [Observed.exists: .bool(false)], missingReason: "\(path) does not exist")])
        }
        let bytes: [UInt8]
        switch FileSystem.readSmall(path, limit: 16 << 20) {
        case .success(let data): bytes = data
        case .failure(let error): return ProbeOutput(observations: [Observation(subject: path, values: [Observed.exists: .bool(true)], missingReason: error.message)])
        }
        var values: ObservedValues = [Observed.exists: .bool(true)]
        // Validate first, for a precise reason; then decode.
        let invalid: JSONScan.Invalid? = bytes.withUnsafeBytes { raw in
            var scan = JSONScan(raw, wanted: [])
            do throws(JSONScan.Invalid) { try scan.document() } catch { return error }
            return nil
        }
        if let invalid {
            values[Observed.valid] = .bool(false)
            return ProbeOutput(observations: [Observation(subject: path, values: values, missingReason: "\(path) is not valid JSON: \(invalid.reason) at byte \(invalid.offset + 1)")])
        }
        let document: JSONAny
        do {
            document = try JSONDecoder().decode(JSONAny.self, from: Data(bytes))
        } catch {
            values[Observed.valid] = .bool(false)
            return ProbeOutput(observations: [Observation(subject: path, values: values, missingReason: "\(path) is not valid JSON")])
        }
        values[Observed.valid] = .bool(true)
        values[Observed.type] = .string(document.typeName)
        var reasons: [String] = []
        for selection in select {
            if let found = document.select(selection.split(separator: ".").map(String.init)) {
                values[dynamic: selection] = found
            } else {
                reasons.append("\(selection) is not in \(path)")
            }
        }
        return ProbeOutput(observations: [Observation(subject: path, values: values, missingReason: reasons.isEmpty ? nil : reasons.joined(separator: "; "))])
    }
}

/// Any JSON value, decoded strictly (a boolean is only `true`/`false`; integers stay integers).
indirect enum JSONAny: Decodable {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([JSONAny]), object([(String, JSONAny)])

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items: [JSONAny] = []
            while !array.isAtEnd { items.append(try array.decode(JSONAny.self)) }
            self = .array(items)
        } else if let object = try? decoder.container(keyedBy: Key.self) {
            self = .object(try object.allKeys.map { ($0.stringValue, try object.decode(JSONAny.self, forKey: $0)) })
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let flag = try? single.decode(Bool.self) {
                self = .bool(flag)
            } else if let number = try? single.decode(Int64.self) {
                self = .int(number)
            } else if let number = try? single.decode(Double.self) {
                self = .double(number)
            } else {
                self = .string(try single.decode(String.self))
            }
        }
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    var value: Value {
        switch self {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .int(let number): .int(number)
        case .double(let number): .double(number)
        case .string(let text): .string(text)
        case .array(let items): .list(items.map(\.value))
        case .object(let members): .list(members.map { .string($0.0) }.sorted { ($0.asString ?? "") < ($1.asString ?? "") })
        }
    }

    /// The value at a path of member names, indexes and `*`; nil when the path leads nowhere.
    func select(_ path: [String]) -> Value? {
        guard let head = path.first else { return value }
        let rest = Array(path.dropFirst())
        if head == "*" {
            let children: [JSONAny]
            switch self {
            case .array(let items): children = items
            case .object(let members): children = members.map(\.1)
            default: return nil
            }
            return .list(children.compactMap { $0.select(rest) })
        }
        switch self {
        case .object(let members):
            return members.first { $0.0 == head }?.1.select(rest)
        case .array(let items):
            guard let index = Int(head), items.indices.contains(index) else { return nil }
            return items[index].select(rest)
        default:
            return nil
        }
    }
}
