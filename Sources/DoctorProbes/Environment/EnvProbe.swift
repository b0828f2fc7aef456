public import DoctorCore

/// Looks up a variable among the run's variables: `--var` and vars files, the built-ins, then the process
/// environment.
public struct EnvProbe: BoundedProbe {
    enum Parameter {
        static let name = ParameterKey.string("name", required: true, "The variable's name, e.g. `XDG_SESSION_TYPE`.")
    }

    enum Observed {
        static let set = ObservationKey("set", .bool, "Whether the variable is defined and not empty.")
        static let value = ObservationKey("value", .string, "The variable's value (absent when it is not set).")
    }

    public static let spec = ProbeSpec(
        type: "env",
        summary: "An environment variable is set, equals a value, or matches a pattern.",
        discussion: """
            The variable is looked up among the run's variables: `--var` and `--vars-file` first, then the \
            built-ins (`UID`, `GID`, `USER`, `HOME`, `HOSTNAME`), then the process environment. An empty value \
            counts as not set.
            """,
        parameters: [Parameter.name],
        observations: [Observed.set, Observed.value],
        defaultExpect: "{set: true}",
        examples: [
            ProbeExample("A Wayland session", """
                id: session-is-wayland
                title: The session is a Wayland session
                category: platform-integration
                severity: medium
                probe: {type: env, name: XDG_SESSION_TYPE}
                expect: {value: wayland}
                """,
                .fail(#"$XDG_SESSION_TYPE: value is "tty", expected == "wayland""#),
                .pass(on: .graphical)),
            ProbeExample("The runtime directory is logind's", """
                id: runtime-dir-set
                title: XDG_RUNTIME_DIR is set to the user's runtime directory
                category: configuration
                severity: high
                probe: {type: env, name: XDG_RUNTIME_DIR}
                expect: {set: true, value: {matches: "^/run/user/[0-9]+$"}}
                """,
                .fail(#"$XDG_RUNTIME_DIR: value is "${XDG_RUNTIME_DIR}", expected matching /^/run/user/[0-9]+$/"#)),
        ])

    let name: String

    public init(parameters: Parameters) throws(ProbeError) {
        guard let name = parameters[Parameter.name], !name.isEmpty else { throw ProbeError("'name' is empty") }
        self.name = name
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        guard let value = context.variables[name], !value.isEmpty else {
            return ProbeOutput(observations: [Observation(subject: "$\(name)", values: [Observed.set: .bool(false)], missingReason: "$\(name) is not set")])
        }
        return ProbeOutput(observations: [Observation(subject: "$\(name)", values: [Observed.set: .bool(true), Observed.value: .string(value)])])
    }
}
