public import DoctorCore
import Foundation

/// Each vault's authentication policy (its `vault-meta`) against the profile's `[profiles.<p>.auth]` in the
/// configuration, and against the factors actually enrolled.
public struct VaultPolicyProbe: Probe {
    enum Parameter {
        static let meta = ParameterKey.string("meta", required: true, "The vault metadata files, e.g. `${HOME}/.config/pds/vaults/*.vault-meta`.")
        static let config = ParameterKey.strings("config", required: true, "The configuration files in load order; globs allowed.")
        static let minMatches = ParameterKey.integer("min_matches", default: 1, "Fewer vaults than this is a failure.")
        static let followSymlinks = ParameterKey.bool("follow_symlinks", default: false, "Read configuration files that are symlinks (home-manager links config.toml into the Nix store).")
    }

    enum Observed {
        static let vaultPolicy = ObservationKey("vault_policy", .string, "The policy the vault records.")
        static let configPolicy = ObservationKey("config_policy", .string, "The policy the configuration asks for.")
        static let consistent = ObservationKey("consistent", .bool, "The two policies are the same.")
        static let enrolledFactors = ObservationKey("enrolled_factors", .list(.string), "The factor ids enrolled in the vault.")
        static let requiredNotEnrolled = ObservationKey("required_not_enrolled", .list(.string), "Required factors with no enrolment.")
        static let enoughFactors = ObservationKey("enough_factors", .bool, "Enough factors are enrolled for the vault's policy.")
    }

    public static let spec = ProbeSpec(
        type: "vault-policy",
        summary: "Every vault enforces the authentication policy its profile's configuration asks for, with the factors it needs.",
        discussion: """
            For every file matching `meta` (one subject per profile, named by the file: `work.vault-meta` is \
            profile `work`), reads its `auth_policy` (`"any"`, `"all"` or `{"policy": {"required": [...], \
            "additional_required": N}}`) and `enrolled_factors`, and the profile's `[profiles.<p>.auth]` \
            (`mode`, `required`, `additional_required`) from the configuration files of `config`, merged in \
            load order. A profile with no `auth` table uses the daemons' default, mode `any`.

            Both policies are written the same way (`any`, `all`, `policy(required: password, ssh-agent; \
            additional: 1)`) and compared: the daemons enforce what the vault says, so a configuration that \
            asks for more than the vault records is a policy that is not enforced. `required_not_enrolled` \
            lists required factors (of either policy) with no enrolment. `enough_factors` is false when `all` \
            has fewer than 2 factors enrolled, or `policy` fewer than its required factors plus \
            `additional_required` (and fewer than 2).
            """,
        parameters: [Parameter.meta, Parameter.config, Parameter.minMatches, Parameter.followSymlinks],
        observations: [
            Observed.vaultPolicy, Observed.configPolicy, Observed.consistent, Observed.enrolledFactors,
            Observed.requiredNotEnrolled, Observed.enoughFactors,
        ],
        defaultExpect: "{consistent: true, required_not_enrolled: {empty: true}, enough_factors: true}",
        examples: [
            ProbeExample("Vaults enforce the configured policy", """
                id: vault-factors-match-config
                title: Every vault enforces its profile's configured authentication policy
                category: vault-integrity
                severity: high
                probe:
                  type: vault-policy
                  meta: "${HOME}/.config/pds/vaults/*.vault-meta"
                  config: ["${HOME}/.config/pds/config.toml", "${HOME}/.config/pds/config.d/*.toml"]
                expect: {consistent: true, required_not_enrolled: {empty: true}, enough_factors: true}
                """,
                .pass(),
                .fail(on: .broken, "the configuration: ${HOME}/.config/pds/config.d/50-local.toml:2:24: Error while parsing string: unescaped control characters other than TAB (U+0009) are explicitly prohibited; work: consistent is false, expected == true")),
        ])

    let vaults: FileTargets
    let config: [String]
    let follow: Bool

    public init(parameters: Parameters) throws(ProbeError) {
        let meta = parameters[Parameter.meta] ?? ""
        if meta.isEmpty { throw ProbeError("'meta' is empty") }
        vaults = FileTargets(pattern: meta, minimum: parameters[Parameter.minMatches])
        config = parameters[Parameter.config] ?? []
        follow = parameters[Parameter.followSymlinks]
    }

    /// A policy, comparable and printable.
    struct Policy: Equatable {
        var mode: String
        var required: [String] = []
        var additional: Int64 = 0

        var text: String {
            guard mode == "policy" else { return mode }
            return "policy(required: \(required.isEmpty ? "none" : required.joined(separator: ", ")); additional: \(additional))"
        }
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        var (files, problems) = try vaults.resolve(deadline: context.deadline)
        if let reason = vaults.nothingToExamine(files) { return ProbeOutput(observations: [], skipReason: reason) }
        let (configuration, configProblems) = try TOMLProbe.merged(config, follow: follow, deadline: context.deadline)
        problems += configProblems.map { "the configuration: \($0)" }
        var observations: [Observation] = []
        for file in files {
            if Task.isCancelled { throw ProbeError("cancelled") }
            let name = String(file.split(separator: "/").last ?? "").replacingOccurrences(of: ".vault-meta", with: "")
            observations.append(observe(file, profile: name, configuration: configuration))
        }
        return ProbeOutput(observations: observations, problems: problems)
    }

    func observe(_ file: String, profile: String, configuration: JSONValue) -> Observation {
        let document: JSONValue
        switch FileSystem.readSmall(file, limit: 1 << 20) {
        case .success(let bytes):
            guard let decoded = try? JSONScan.parse(bytes) else {
                return Observation(subject: profile, values: [:], missingReason: "\(file) is not valid JSON")
            }
            document = decoded
        case .failure(let error):
            return Observation(subject: profile, values: [:], missingReason: error.message)
        }
        guard let vaultPolicy = VaultPolicyProbe.vaultPolicy(document.member("auth_policy")) else {
            return Observation(subject: profile, values: [:], missingReason: "\(file) has no auth_policy this doctor knows")
        }
        let enrolled: [String]
        if case .array(let factors)? = document.member("enrolled_factors") {
            enrolled = factors.compactMap { factor in
                if case .string(let id)? = factor.member("factor_id") { return id }
                return nil
            }
        } else {
            enrolled = []
        }
        let auth = configuration.node(at: ["profiles", profile, "auth"])
        let configPolicy = VaultPolicyProbe.configPolicy(auth)
        var required = vaultPolicy.required
        for factor in configPolicy.required where !required.contains(factor) { required.append(factor) }
        if case .array(let listed)? = auth?.member("required") {
            for case .string(let factor) in listed where !required.contains(factor) { required.append(factor) }
        }
        let enough: Bool
        switch vaultPolicy.mode {
        case "all": enough = enrolled.count >= 2
        case "policy": enough = Int64(enrolled.count) >= max(2, Int64(vaultPolicy.required.count) + vaultPolicy.additional)
        default: enough = !enrolled.isEmpty
        }
        return Observation(subject: profile, values: [
            Observed.vaultPolicy: .string(vaultPolicy.text), Observed.configPolicy: .string(configPolicy.text),
            Observed.consistent: .bool(vaultPolicy == configPolicy),
            Observed.enrolledFactors: .list(enrolled.map { .string($0) }),
            Observed.requiredNotEnrolled: .list(required.filter { !enrolled.contains($0) }.map { .string($0) }),
            Observed.enoughFactors: .bool(enough),
        ])
    }

    /// `"any"`, `"all"` or `{"policy": {"required": [...], "additional_required": N}}`.
    static func vaultPolicy(_ value: JSONValue?) -> Policy? {
        switch value {
        case .string(let mode)? where mode == "any" || mode == "all": return Policy(mode: mode)
        case .object?:
            guard let body = value?.member("policy") else { return nil }
            return Policy(mode: "policy", required: strings(body.member("required")).sorted(), additional: integer(body.member("additional_required")))
        default: return nil
        }
    }

    /// `[profiles.<p>.auth]`; only `policy` mode carries its required factors and count into the policy.
    static func configPolicy(_ auth: JSONValue?) -> Policy {
        guard case .string(let mode)? = auth?.member("mode") else { return Policy(mode: "any") }
        guard mode == "policy" else { return Policy(mode: mode) }
        return Policy(mode: mode, required: strings(auth?.member("required")).sorted(), additional: integer(auth?.member("additional_required")))
    }

    static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }

    static func integer(_ value: JSONValue?) -> Int64 {
        if case .int(let number)? = value { return number }
        return 0
    }
}
