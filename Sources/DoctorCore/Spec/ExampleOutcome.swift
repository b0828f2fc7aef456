/// What one of a probe's examples reports on one of the demo hosts (`scripts/demo-host`, docs/demo.md): its
/// status and, unless it passes, its message. `ProbeExampleTests` runs every example on the hosts its outcomes
/// name and fails when one reports anything else; the reference pages in `docs/probes/` show them.
///
/// Messages name the demo host's directories as `${HOME}` and `${XDG_RUNTIME_DIR}`. An outcome that depends on
/// the machine rather than on the host (a kernel setting, the linked SQLCipher, a readable journal) says for
/// which machines it holds (`machine`), and the example states the outcome of the other machines beside it.
public struct ExampleOutcome: Sendable, Hashable {
    /// The demo hosts: the healthy host and the variants `scripts/demo-host` builds.
    public enum Host: String, Sendable, Hashable, CaseIterable {
        case healthy
        /// 22 defects (`DEMO_BROKEN=1`, Tests/Fixtures/demo/build_host.py).
        case broken
        /// The bus died and left its socket file (`DEMO_STALE=1`).
        case stale
        /// With a graphical session: weston headless and xdg-desktop-portal (`DEMO_GRAPHICAL=1`).
        case graphical
        /// The daemons started before `sesame init` (`DEMO_VARIANT=pre-init`).
        case preInit = "pre-init"

        /// The environment that makes `scripts/demo-host` build this host.
        public var environment: [String: String] {
            switch self {
            case .healthy: [:]
            case .broken: ["DEMO_BROKEN": "1"]
            case .stale: ["DEMO_STALE": "1"]
            case .graphical: ["DEMO_GRAPHICAL": "1"]
            case .preInit: ["DEMO_VARIANT": "pre-init"]
            }
        }

        /// How the reference pages name it.
        public var phrase: String {
            switch self {
            case .healthy: "the healthy demo host"
            case .broken: "the broken demo host (`DEMO_BROKEN=1`)"
            case .stale: "the demo host with a stale bus socket (`DEMO_STALE=1`)"
            case .graphical: "the graphical demo host (`DEMO_GRAPHICAL=1`)"
            case .preInit: "the demo host before `sesame init` (`DEMO_VARIANT=pre-init`)"
            }
        }
    }

    /// The message a check states, all of it or a part.
    public enum Message: Sendable, Hashable {
        case exact(String)
        case containing(String)

        public func matches(_ message: String) -> Bool {
            switch self {
            case .exact(let text): message == text
            case .containing(let text): message.contains(text)
            }
        }
    }

    public var host: Host
    public var status: CheckStatus
    /// Nil for a pass, whose message says nothing.
    public var message: Message?
    /// The machines this outcome is for, when it depends on the machine rather than on the host (e.g. "a kernel
    /// without Yama, as on the build machine"); nil: every machine.
    public var machine: String?

    public init(host: Host, status: CheckStatus, message: Message? = nil, machine: String? = nil) {
        self.host = host
        self.status = status
        self.message = message
        self.machine = machine
    }

    /// Whether a check's status and message are this outcome.
    public func matches(status: CheckStatus, message: String) -> Bool {
        status == self.status && (self.message?.matches(message) ?? true)
    }

    public static func pass(on host: Host = .healthy, where machine: String? = nil) -> Self {
        Self(host: host, status: .pass, machine: machine)
    }

    public static func fail(on host: Host = .healthy, _ message: String, where machine: String? = nil) -> Self {
        Self(host: host, status: .fail, message: .exact(message), machine: machine)
    }

    public static func fail(on host: Host = .healthy, containing part: String, where machine: String? = nil) -> Self {
        Self(host: host, status: .fail, message: .containing(part), machine: machine)
    }

    public static func warn(on host: Host = .healthy, _ message: String, where machine: String? = nil) -> Self {
        Self(host: host, status: .warn, message: .exact(message), machine: machine)
    }

    public static func warn(on host: Host = .healthy, containing part: String, where machine: String? = nil) -> Self {
        Self(host: host, status: .warn, message: .containing(part), machine: machine)
    }

    public static func skip(on host: Host = .healthy, _ message: String, where machine: String? = nil) -> Self {
        Self(host: host, status: .skip, message: .exact(message), machine: machine)
    }

    public static func skip(on host: Host = .healthy, containing part: String, where machine: String? = nil) -> Self {
        Self(host: host, status: .skip, message: .containing(part), machine: machine)
    }

    public static func error(on host: Host = .healthy, _ message: String, where machine: String? = nil) -> Self {
        Self(host: host, status: .error, message: .exact(message), machine: machine)
    }

    public static func error(on host: Host = .healthy, containing part: String, where machine: String? = nil) -> Self {
        Self(host: host, status: .error, message: .containing(part), machine: machine)
    }
}
