public import DoctorCore
import Foundation
import TOMLKit

/// TOML configuration files, read in their load order and validated against a JSON Schema (Open Sesame's by
/// default): syntax errors with file:line:col, schema violations, unknown and deprecated keys with file and line.
public struct TOMLProbe: Probe {
    enum Parameter {
        static let paths = ParameterKey.strings("paths", required: true, "The files in load order; globs allowed.")
        static let schema = ParameterKey.string("schema", "A JSON Schema file to validate with (default: Open Sesame's configuration schema).")
        static let followSymlinks = ParameterKey.bool("follow_symlinks", default: false, "Read configuration files that are symlinks.")
        static let merge = ParameterKey.enumeration("merge", ["deep", "open-sesame"], default: "deep", "How later files combine with earlier ones: key by key, or exactly as Open Sesame's loader keeps them.")
        static let select = ParameterKey.strings("select", "Paths of the merged configuration to observe, each under its own name in `expect`.")
        static let defaults = ParameterKey.map("defaults", of: .dynamic, "The value of a selected path when no file sets it (the daemons' default).")
        static let per = ParameterKey.string("per", "A table of the merged configuration whose every member is a subject (e.g. `profiles`).")
        static let perDefault = ParameterKey.string("per_default", "The member judged, from `defaults` alone, when no file configures any (e.g. `default`, the profile the daemons run without a configuration).")
    }

    enum Observed {
        static let files = ObservationKey("files", .list(.string), "The files read, in order.")
        static let valid = ObservationKey("valid", .bool, "Every file parsed and no value breaks the schema.")
        static let errors = ObservationKey("errors", .list(.string), "Syntax errors and schema violations, with file and line.")
        static let syntaxErrors = ObservationKey("syntax_errors", .list(.string), "Files that could not be read or parsed, with file:line:col: the errors before any schema.")
        static let unknownKeys = ObservationKey("unknown_keys", .list(.string), "Keys the schema does not know, with file and line.")
        static let deprecatedKeys = ObservationKey("deprecated_keys", .list(.string), "Keys the schema marks deprecated, with file and line.")
        static let warnings = ObservationKey("warnings", .list(.string), "Values the schema advises against without forbidding them (`x-warn-minimum`/`x-warn-maximum`), with file and line.")
        static let configVersion = ObservationKey("config_version", .integer, "The highest `config_version` of the files; under `merge: open-sesame` the one the daemons run with (the highest, and at least their own 3).")
    }

    public static let spec = ProbeSpec(
        type: "toml",
        summary: "TOML configuration files parse, and their keys and values are valid against the configuration schema.",
        discussion: """
            Reads each file of `paths` in order (globs expand alphabetically, as `config.d/*.toml` loads; a file \
            that does not exist is skipped), parses it with TOMLKit (toml++), and validates it against \
            `schema`: a JSON Schema file, by default Open Sesame's (`schemas/pds-config.schema.json`, written \
            from the reference). Every file is validated on its own, so each problem carries the file and line \
            that holds it; the merged configuration is the later files over the earlier ones, and \
            `config_version` is the highest any file declares. No file at all is valid (the daemons run on \
            their defaults): expect `files: {empty: false}` when one must exist. The validator applies `type`, \
            `enum`, `minimum`, `maximum`, `minLength`, `pattern`, `properties`, `required`, \
            `additionalProperties`, `propertyNames`, `items`, local `$ref` and `deprecated`; a schema that uses \
            any other validating keyword (`oneOf`, `maxLength`, …) is refused, naming it, when the catalog loads \
            and before it is used, never half applied.

            `errors` lists syntax errors (`file:line:col: message`) and schema violations (`file:line: key: \
            message`), `unknown_keys` keys the schema does not know (the daemons ignore them silently, so a typo \
            is lost), `deprecated_keys` keys the schema marks deprecated, and `warnings` values the schema advises \
            against without forbidding them (Open Sesame only warns about them either). Files are never followed through \
            a symlink unless `follow_symlinks` is set (NixOS links config.toml into the store), and never opened \
            if they are not regular files.

            `select` observes values of the merged configuration, each under its own name: dotted paths as in \
            the json probe (`crypto.kdf`, `global.logging.level`; `*` takes every element). `defaults` gives the \
            value the daemons use when no file sets a path (their compiled default), so an unset key is still \
            judged. `per` names a table whose every member is a subject of its own, with `select` relative to \
            the member: `per: profiles` with `select: [audit.retention_days]` judges every profile, and names \
            it in the message.

            `merge` says how later files combine with earlier ones. `deep` (the default): tables merge key by \
            key, any other value of a later file replaces the earlier one. `open-sesame`: exactly what Open \
            Sesame 1.14.2's `load_config` keeps (`core-config/src/loader.rs:83-160` at commit 5bd74188): the \
            highest `config_version`; `global.default_profile` when a file sets it to something other than \
            `default`; a profile whole from the first file that defines it, and from later files only its \
            `extends`, `color`, `icon`, a non-default `clipboard.max_history`, `wm.hint_keys`, \
            `wm.overlay_delay_ms` and `wm.max_visible_windows`, and the entries of `wm.key_bindings` and \
            `launch_profiles`; `policy` entries appended. Nothing else of any file is loaded (`[crypto]`, \
            `[global.ipc]`, `[global.logging]`, `[agents]`, `[extensions]`, a later file's `audit` or `auth` of \
            a profile already defined), so `select` sees what the daemons run with, and `defaults` their \
            compiled defaults for the rest.
            """,
        parameters: [
            Parameter.paths, Parameter.schema, Parameter.followSymlinks, Parameter.merge, Parameter.select,
            Parameter.defaults, Parameter.per, Parameter.perDefault,
        ],
        observations: [
            Observed.files, Observed.valid, Observed.errors, Observed.syntaxErrors, Observed.unknownKeys,
            Observed.deprecatedKeys, Observed.warnings, Observed.configVersion,
        ],
        namedObservations: Parameter.select,
        defaultExpect: "{errors: {empty: true}, unknown_keys: {warn_if: {empty: false}}, deprecated_keys: {warn_if: {empty: false}}, warnings: {warn_if: {empty: false}}}",
        examples: [
            ProbeExample("The configuration is valid", """
                id: config-schema-valid
                title: The Open Sesame configuration parses and validates
                category: configuration
                severity: high
                probe:
                  type: toml
                  paths: [/etc/pds/policy.toml, "${HOME}/.config/pds/config.toml", "${HOME}/.config/pds/config.d/*.toml"]
                expect:
                  errors: {empty: true}
                  config_version: 3
                  unknown_keys: {warn_if: {empty: false}}
                  deprecated_keys: {warn_if: {empty: false}}
                """,
                .pass(),
                .fail(on: .broken, #"errors is ["${HOME}/.config/pds/config.d/50-local.toml:2:24: Error while parsing string: unescaped control characters other than TAB (U+0009) are explicitly prohibited"], expected empty: true"#)),
            ProbeExample("Every profile keeps its audit log long enough", """
                id: config-audit-retention
                title: Every profile keeps an audit log for at least 90 days
                category: configuration
                severity: medium
                governance: {pci-dss: ["10.5.1"]}
                probe:
                  type: toml
                  paths: ["${HOME}/.config/pds/config.toml", "${HOME}/.config/pds/config.d/*.toml"]
                  per: profiles
                  select: [audit.enabled, audit.retention_days]
                  defaults: {audit.enabled: true, audit.retention_days: 90}
                expect:
                  audit.enabled: true
                  audit.retention_days: {ge: 90}
                governance_expect:
                  pci-dss: {audit.retention_days: {ge: 365}}
                """,
                .pass(),
                .fail(on: .broken, "profiles.work: audit.enabled is false, expected == true")),
        ])

    let paths: [String]
    let schemaPath: String?
    let follow: Bool
    let select: [String]
    let defaults: [String: Value]
    let per: String?
    let perDefault: String?
    let openSesameMerge: Bool

    public init(parameters: Parameters) throws(ProbeError) {
        paths = parameters[Parameter.paths] ?? []
        guard !paths.isEmpty else { throw ProbeError("'paths' is empty") }
        schemaPath = parameters[Parameter.schema]
        // A schema this validator would only half apply is refused: when the catalog loads if the file is
        // there to read then, and in any case before it is used.
        if let schemaPath, case .success(let bytes) = FileSystem.readSmall(schemaPath, limit: 4 << 20),
            let schema = try? JSONScan.parse(bytes)
        {
            try TOMLProbe.refuseUnsupported(schema, schemaPath)
        }
        follow = parameters[Parameter.followSymlinks]
        select = parameters[Parameter.select] ?? []
        var defaults: [String: Value] = [:]
        for (path, value) in parameters[Parameter.defaults] ?? [] {
            guard select.contains(path) else { throw ProbeError("the default for '\(path)' is for a path 'select' does not name") }
            defaults[path] = value
        }
        self.defaults = defaults
        per = parameters[Parameter.per]
        perDefault = parameters[Parameter.perDefault]
        if perDefault != nil && per == nil { throw ProbeError("'per_default' needs 'per'") }
        openSesameMerge = parameters[Parameter.merge] == "open-sesame"
        if per != nil && select.isEmpty { throw ProbeError("'per' needs paths to observe in 'select'") }
    }

    static let defaultSchema: JSONValue? = try? JSONScan.parse(Array(PDSConfigSchema.text.utf8))

    static func refuseUnsupported(_ schema: JSONValue, _ path: String) throws(ProbeError) {
        let unsupported = SchemaValidator.unsupportedKeywords(schema)
        guard !unsupported.isEmpty else { return }
        let shown = unsupported.prefix(5).joined(separator: ", ") + (unsupported.count > 5 ? ", …" : "")
        throw ProbeError("the schema \(path) uses keywords doctor's validator does not implement, so it would pass values the schema forbids: \(shown) (supported: \(SchemaValidator.validating.sorted().joined(separator: ", ")))")
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        let schema: JSONValue
        if let schemaPath {
            switch FileSystem.readSmall(schemaPath, limit: 4 << 20) {
            case .success(let bytes):
                guard let decoded = try? JSONScan.parse(bytes) else { throw ProbeError("the schema \(schemaPath) is not JSON") }
                try TOMLProbe.refuseUnsupported(decoded, schemaPath)
                schema = decoded
            case .failure(let error): throw ProbeError("the schema: \(error.message)")
            }
        } else {
            guard let embedded = TOMLProbe.defaultSchema else { throw ProbeError("the built-in configuration schema does not parse") }
            schema = embedded
        }
        let validator = SchemaValidator(schema: schema)
        let files = try TOMLProbe.expand(paths, deadline: context.deadline)
        var errors: [String] = [], unknown: [String] = [], deprecated: [String] = [], warnings: [String] = [], syntax: [String] = []
        var version: Int64?
        var merged = openSesameMerge ? JSONValue.openSesameDefaults : JSONValue.object([])
        for file in files {
            if Task.isCancelled { throw ProbeError("cancelled") }
            let text: String, table: TOMLTable
            switch TOMLProbe.parse(file, follow: follow) {
            case .success(let parsed): (text, table) = parsed
            case .failure(let problem):
                syntax.append(problem.message)
                continue
            }
            let document = TOMLProbe.convert(table)
            merged = openSesameMerge ? merged.openSesameMerging(document) : merged.merging(document)
            if case .int(let declared)? = document.member("config_version") { version = max(version ?? declared, declared) }
            let lines = TOMLLines(text)
            for issue in validator.validate(document) {
                let location = "\(file):\(lines.line(of: issue.path))"
                let key = issue.path.joined(separator: ".")
                switch issue.kind {
                case .error: errors.append("\(location): \(key) \(issue.message)")
                case .unknown: unknown.append("\(location): \(key)")
                case .deprecated: deprecated.append("\(location): \(key) (\(issue.message))")
                case .warning: warnings.append("\(location): \(key) \(issue.message)")
                }
            }
        }
        errors = syntax + errors
        var values: ObservedValues = [
            Observed.files: .list(files.map { .string($0) }), Observed.valid: .bool(errors.isEmpty),
            Observed.errors: .list(errors.map { .string($0) }), Observed.syntaxErrors: .list(syntax.map { .string($0) }),
            Observed.unknownKeys: .list(unknown.map { .string($0) }), Observed.deprecatedKeys: .list(deprecated.map { .string($0) }),
            Observed.warnings: .list(warnings.map { .string($0) }),
        ]
        // Under Open Sesame's merge, the version the daemons run with: the highest, from their own 3 up.
        if openSesameMerge, case .int(let running)? = merged.member("config_version") { version = running }
        if let version { values[Observed.configVersion] = .int(version) }
        let reason = files.isEmpty ? "none of \(paths.joined(separator: ", ")) exists" : nil
        guard let per else {
            let (selected, unset) = selected(in: merged)
            values = values.merging(selected)
            let reasons = [reason].compactMap { $0 } + unset.map { "no file sets \($0)" }
            return ProbeOutput(observations: [Observation(values: values, missingReason: reasons.isEmpty ? nil : reasons.joined(separator: "; "))])
        }
        let table = per.split(separator: ".").map(String.init)
        var members: [(String, JSONValue)] = []
        if case .object(let configured)? = merged.node(at: table) { members = configured }
        // No member configured: the one the daemons use anyway, with their compiled defaults.
        if members.isEmpty, let perDefault { members = [(perDefault, .object([]))] }
        guard !members.isEmpty else {
            return ProbeOutput(observations: [Observation(values: values, missingReason: "the configuration has no [\(per)] members")])
        }
        return ProbeOutput(observations: members.map { name, member in
            let (selected, unset) = selected(in: member)
            let reasons = unset.map { "no file sets \(per).\(name).\($0)" }
            return Observation(
                subject: "\(per).\(name)", values: values.merging(selected),
                missingReason: reasons.isEmpty ? nil : reasons.joined(separator: "; "))
        })
    }

    /// The `select` paths found in `document`, with `defaults` for the ones no file sets, and the paths unset.
    func selected(in document: JSONValue) -> (ObservedValues, [String]) {
        var values = ObservedValues()
        var unset: [String] = []
        for path in select {
            if let found = document.select(path.split(separator: ".").map(String.init)) {
                values[dynamic: path] = found
            } else if let fallback = defaults[path] {
                values[dynamic: path] = fallback
            } else {
                unset.append(path)
            }
        }
        return (values, unset)
    }

    /// The files of `paths` in load order: globs expanded alphabetically, literal paths that do not exist left out.
    static func expand(_ paths: [String], deadline: ContinuousClock.Instant) throws(ProbeError) -> [String] {
        var files: [String] = []
        for path in paths {
            if path.contains(where: { "*?[".contains($0) }) {
                files += try FileSystem.glob(path, deadline: deadline).get()
            } else if case .success = FileSystem.info(path, follow: false) {
                files.append(path)
            }
        }
        return files
    }

    /// One configuration file read (a regular file, at most 16 MiB) and parsed; a failure is `file[:line:col]: message`.
    static func parse(_ file: String, follow: Bool) -> Result<(String, TOMLTable), ProbeError> {
        let bytes: [UInt8]
        switch FileSystem.readSmall(follow ? resolved(file) : file, limit: 16 << 20) {
        case .success(let data): bytes = data
        case .failure(let error): return .failure(ProbeError("\(file): \(error.message)"))
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { return .failure(ProbeError("\(file): not valid UTF-8")) }
        do throws(TOMLDocument.SyntaxError) {
            return .success((text, try TOMLDocument.parse(text)))
        } catch {
            return .failure(ProbeError("\(file):\(error.line):\(error.column): \(error.message)"))
        }
    }

    /// The files of `paths` merged as the daemons merge them, with the files that failed to parse.
    static func merged(_ paths: [String], follow: Bool, deadline: ContinuousClock.Instant) throws(ProbeError) -> (JSONValue, [String]) {
        var merged = JSONValue.openSesameDefaults
        var problems: [String] = []
        for file in try expand(paths, deadline: deadline) {
            switch parse(file, follow: follow) {
            case .success(let parsed): merged = merged.openSesameMerging(convert(parsed.1))
            case .failure(let problem): problems.append(problem.message)
            }
        }
        return (merged, problems)
    }

    static func resolved(_ path: String) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard realpath(path, &buffer) != nil else { return path }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A TOMLKit value as a JSON-like tree (dates and times as their TOML text).
    static func convert(_ value: any TOMLValueConvertible) -> JSONValue {
        switch value.type {
        case .table:
            guard let table = value.table else { return .null }
            return .object(table.keys.map { key in (key, table[key].map(convert) ?? .null) })
        case .array:
            guard let array = value.array else { return .null }
            return .array(array.map { convert($0) })
        case .string: return .string(value.string ?? "")
        case .int: return .int(Int64(value.int ?? 0))
        case .double: return .double(value.double ?? 0)
        case .bool: return .bool(value.bool ?? false)
        case .date, .time, .dateTime: return .string(value.debugDescription)
        }
    }
}

extension JSONValue {
    func member(_ name: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.0 == name }?.1 }
        return nil
    }

    /// The node at a path of member names (no wildcards).
    func node(at path: [String]) -> JSONValue? {
        var node = self
        for name in path {
            guard let next = node.member(name) else { return nil }
            node = next
        }
        return node
    }

    /// What `load_config` starts from before any file: `Config::default()` (`core-config/src/schema.rs:51`,
    /// `config_version` 3; no profiles). The rest of the compiled defaults are the checks' `defaults`.
    static let openSesameDefaults = JSONValue.object([("config_version", .int(3))])

    /// `later` over `self` as Open Sesame 1.14.2's `merge_config` and `merge_profile` do
    /// (`core-config/src/loader.rs:101-160`); defaults compared against are `schema_peripheral.rs:24` (clipboard
    /// `max_history` 1000) and `schema_wm.rs:89-90, 135` (`hint_keys` "asdfghjkl", `overlay_delay_ms` 150,
    /// `max_visible_windows` 20). What the loader does not take is left out of the result.
    func openSesameMerging(_ later: JSONValue) -> JSONValue {
        var result: [(String, JSONValue)] = []
        if case .object(let members) = self { result = members }
        func get(_ key: String) -> JSONValue? { result.first { $0.0 == key }?.1 }
        func set(_ key: String, _ value: JSONValue) {
            if let index = result.firstIndex(where: { $0.0 == key }) { result[index].1 = value } else { result.append((key, value)) }
        }
        if case .int(let version)? = later.member("config_version") {
            if case .int(let current)? = get("config_version"), current >= version {} else { set("config_version", .int(version)) }
        }
        if case .string(let name)? = later.node(at: ["global", "default_profile"]), name != "default" {
            set("global", .object([("default_profile", .string(name))]))
        }
        if case .object(let profiles)? = later.member("profiles") {
            var merged: [(String, JSONValue)] = []
            if case .object(let existing)? = get("profiles") { merged = existing }
            for (name, profile) in profiles {
                if let index = merged.firstIndex(where: { $0.0 == name }) {
                    merged[index].1 = merged[index].1.openSesameProfileMerging(profile)
                } else {
                    merged.append((name, profile))
                }
            }
            set("profiles", .object(merged))
        }
        if case .array(let policies)? = later.member("policy") {
            if case .array(let existing)? = get("policy") { set("policy", .array(existing + policies)) } else { set("policy", .array(policies)) }
        }
        return .object(result)
    }

    /// `merge_profile` (`core-config/src/loader.rs:124-160`).
    func openSesameProfileMerging(_ later: JSONValue) -> JSONValue {
        var profile = self
        func put(_ path: [String], _ value: JSONValue) { profile = profile.setting(path, value) }
        for key in ["extends", "color", "icon"] { if let value = later.member(key) { put([key], value) } }
        let nonDefault: [([String], JSONValue)] = [
            (["clipboard", "max_history"], .int(1000)), (["wm", "hint_keys"], .string("asdfghjkl")),
            (["wm", "overlay_delay_ms"], .int(150)), (["wm", "max_visible_windows"], .int(20)),
        ]
        for (path, fallback) in nonDefault { if let value = later.node(at: path), !value.isScalar(equalTo: fallback) { put(path, value) } }
        for table in [["wm", "key_bindings"], ["launch_profiles"]] {
            if case .object(let entries)? = later.node(at: table) {
                for (key, value) in entries { put(table + [key], value) }
            }
        }
        return profile
    }

    /// Whether both are the same integer or the same string.
    func isScalar(equalTo other: JSONValue) -> Bool {
        switch (self, other) {
        case (.int(let a), .int(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        default: false
        }
    }

    /// A copy with `value` at `path`, creating tables on the way.
    func setting(_ path: [String], _ value: JSONValue) -> JSONValue {
        guard let first = path.first else { return value }
        var members: [(String, JSONValue)] = []
        if case .object(let existing) = self { members = existing }
        let child = members.first { $0.0 == first }?.1 ?? .object([])
        let updated = child.setting(Array(path.dropFirst()), value)
        if let index = members.firstIndex(where: { $0.0 == first }) { members[index].1 = updated } else { members.append((first, updated)) }
        return .object(members)
    }

    /// `later` over `self` as the configuration loader merges files: tables key by key, anything else replaced.
    func merging(_ later: JSONValue) -> JSONValue {
        guard case .object(var members) = self, case .object(let overrides) = later else { return later }
        for (key, value) in overrides {
            if let index = members.firstIndex(where: { $0.0 == key }) {
                members[index].1 = members[index].1.merging(value)
            } else {
                members.append((key, value))
            }
        }
        return .object(members)
    }
}
