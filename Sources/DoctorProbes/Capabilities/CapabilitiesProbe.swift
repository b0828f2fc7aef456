public import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// The capabilities of a file (its `security.capability` attribute) or of a process, by name, through libcap.
public struct CapabilitiesProbe: BoundedProbe {
    enum Parameter {
        static let path = ParameterKey.string("path", "A file whose capabilities to read.")
        static let pid = ParameterKey.integer("pid", "A process whose capabilities to read.")
    }

    enum Observed {
        static let effective = ObservationKey("effective", .list(.string), "The effective set.")
        static let permitted = ObservationKey("permitted", .list(.string), "The permitted set.")
        static let inheritable = ObservationKey("inheritable", .list(.string), "The inheritable set.")
        static let bounding = ObservationKey("bounding", .list(.string), "The bounding set (processes only).")
        static let ambient = ObservationKey("ambient", .list(.string), "The ambient set (processes only).")
        static let text = ObservationKey("text", .string, "libcap's text form of a file's capabilities (empty: none).")
    }

    public static let spec = ProbeSpec(
        type: "capabilities",
        summary: "The capabilities a file grants when executed, or a process holds, decoded by libcap into names.",
        discussion: """
            With `path`, reads the file's capability attribute with libcap's `cap_get_file` (a file without one \
            has empty sets; `text` is libcap's form, e.g. `cap_net_bind_service,cap_net_raw=ep`). With `pid`, \
            decodes the sets of `/proc/<pid>/status`, including the bounding and ambient sets. Names are libcap's \
            (`cap_sys_admin`), so `effective: {not_contains: cap_sys_admin}` forbids one and \
            `permitted: {empty: true}` forbids all.
            """,
        parameters: [Parameter.path, Parameter.pid],
        exactlyOneOf: [[Parameter.path, Parameter.pid]],
        observations: [Observed.effective, Observed.permitted, Observed.inheritable, Observed.bounding, Observed.ambient, Observed.text],
        defaultExpect: "{permitted: {empty: true}}",
        examples: [
            ProbeExample("A plugin gains raw sockets and nothing more", """
                id: plugin-icmp-caps
                title: The ICMP plugin gains only cap_net_raw when executed
                category: platform-integration
                severity: medium
                probe: {type: capabilities, path: /usr/lib/nagios/plugins/check_icmp}
                expect: {permitted: [cap_net_raw], inheritable: {empty: true}}
                """,
                .pass()),
            ProbeExample("A binary carries no file capabilities", """
                id: plugin-dhcp-no-file-caps
                title: The DHCP plugin gains no capabilities when executed
                category: platform-integration
                severity: medium
                probe: {type: capabilities, path: /usr/lib/nagios/plugins/check_dhcp}
                expect: {permitted: {empty: true}}
                remediation: setcap -r /usr/lib/nagios/plugins/check_dhcp
                """,
                .fail(#"/usr/lib/nagios/plugins/check_dhcp: permitted is ["cap_net_bind_service", "cap_net_raw"], expected empty: true"#)),
        ])

    enum Subject {
        case path(String)
        case pid(Int32)
    }

    let subject: Subject

    public init(parameters: Parameters) throws(ProbeError) {
        if let path = parameters[Parameter.path] {
            guard !path.isEmpty else { throw ProbeError("'path' is empty") }
            subject = .path(path)
        } else if let pid = parameters[Parameter.pid], pid > 0, let pid32 = Int32(exactly: pid) {
            subject = .pid(pid32)
        } else {
            throw ProbeError("'pid' must be a positive process id")
        }
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        switch subject {
        case .path(let path):
            if case .failure(let error) = FileSystem.info(path, follow: true) {
                return ProbeOutput(observations: [Observation(subject: path, values: [:], missingReason: "\(path): \(String(cString: strerror(error.code)))")])
            }
            let sets = try Capabilities.file(path)
            let values: ObservedValues = [
                Observed.effective: .list(sets.effective.map { .string($0) }), Observed.permitted: .list(sets.permitted.map { .string($0) }),
                Observed.inheritable: .list(sets.inheritable.map { .string($0) }), Observed.text: .string(sets.text),
            ]
            return ProbeOutput(observations: [Observation(subject: path, values: values)])
        case .pid(let pid):
            let subject = "process \(pid)"
            guard let directory = ProcessDirectory(pid: pid) else {
                return ProbeOutput(observations: [Observation(subject: subject, values: [:], missingReason: "no process \(pid)")])
            }
            let status: [Substring: Substring]
            do {
                status = ProcFS.status(try directory.read("status"))
            } catch {
                return ProbeOutput(observations: [Observation(subject: subject, values: [:], missingReason: error.message)])
            }
            var values = ObservedValues()
            let fields = [
                ("CapEff", Observed.effective), ("CapPrm", Observed.permitted), ("CapInh", Observed.inheritable),
                ("CapBnd", Observed.bounding), ("CapAmb", Observed.ambient),
            ]
            for (field, key) in fields {
                if let mask = status[Substring(field)].flatMap({ UInt64($0, radix: 16) }) {
                    values[key] = .list(Capabilities.names(mask: mask).map { .string($0) })
                }
            }
            return ProbeOutput(observations: [Observation(subject: subject, values: values)])
        }
    }
}
