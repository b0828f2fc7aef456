/// Run-wide settings that belong to particular probes, carried by `RunOptions` into every `ProbeContext`: the
/// core stores them by type and knows none of them (e.g. the `exec` probe's `ExecPolicy`, which the command line
/// builds from `--allow-exec` and `--plugin-dir`). A probe reads its own with `context.settings[MySetting.self]`
/// and falls back to a safe default when the run did not give one.
public struct ProbeSettings: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    public init() {}

    public subscript<Setting: Sendable>(_ type: Setting.Type) -> Setting? {
        get { values[ObjectIdentifier(type)] as? Setting }
        set { values[ObjectIdentifier(type)] = newValue }
    }

    /// These settings with `setting` added (or replaced).
    public func with<Setting: Sendable>(_ setting: Setting) -> ProbeSettings {
        var copy = self
        copy[Setting.self] = setting
        return copy
    }
}
