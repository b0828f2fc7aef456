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
        // Validated and built in one pass; a precise reason when it is not JSON.
        let document: JSONValue
        do throws(JSONScan.Invalid) {
            document = try JSONScan.parse(bytes)
        } catch {
            values[Observed.valid] = .bool(false)
            return ProbeOutput(observations: [Observation(subject: path, values: values, missingReason: "\(path) is not valid JSON: \(error.reason) at byte \(error.offset + 1)")])
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
