public import DoctorCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Facts about a path from `lstat`: existence, type, mode, owner, group, size, link target, and on request a
/// SHA-256 of a regular file. Never follows a symlink unless told to, and never opens anything that is not a
/// regular file.
public struct FileProbe: BoundedProbe {
    public static let spec = ProbeSpec(
        type: "file",
        summary: "A path exists (or not) with the expected type, mode, owner, group, size or SHA-256.",
        discussion: """
            Uses `lstat`: a symlink is reported as a symlink (with its `target`), never followed, unless \
            `follow_symlinks: true`. FIFOs, sockets and devices are reported, never opened; `sha256` reads \
            regular files only, and only when an expectation asks for it.

            Three forms: `path` checks one path; `glob` applies every expectation to each match (`*`, `?`, \
            `[...]` within a segment, `**` across directories; no match is a failure unless `min_matches: 0`); \
            `none` asserts that nothing matches (e.g. leftover `*.key.tmp` files).

            Modes are octal. `mode: "0600"` asks for exactly 0600; `mode: {within: "0700"}` asks for no bits \
            outside 0700 (no group or other access). Owners and groups match by name or numeric id \
            (`owner: ${UID}`).
            """,
        parameters: [
            ParameterSpec("path", .string, "The path to examine."),
            ParameterSpec("glob", .string, "A pattern: every expectation applies to each path it matches."),
            ParameterSpec("none", .string, "A pattern nothing may match."),
            ParameterSpec("follow_symlinks", .bool, default: "false", "Examine what a symlink points to instead of the link."),
            ParameterSpec("min_matches", .integer, default: "1", "With `glob`: fewer matches than this is a failure."),
        ],
        exactlyOneOf: [["path", "glob", "none"]],
        observations: [
            ObservationSpec("exists", .bool, "Whether the path exists (a dangling symlink exists)."),
            ObservationSpec("type", .enumeration(FileSystem.typeNames), "The file type."),
            ObservationSpec("mode", .fileMode, "The permission bits, including setuid, setgid and sticky."),
            ObservationSpec("owner", .principal, "The owning user (name or uid)."),
            ObservationSpec("group", .principal, "The owning group (name or gid)."),
            ObservationSpec("size", .byteSize, "The size in bytes."),
            ObservationSpec("target", .string, "For a symlink, where it points."),
            ObservationSpec("sha256", .string, "Lowercase hex SHA-256 of a regular file's content (computed only when expected)."),
        ],
        defaultExpect: "{exists: true}",
        examples: [
            ProbeExample("A private key file", """
                id: bus-key-perms
                title: The bus private key is private
                category: crypto-posture
                severity: critical
                probe: {type: file, path: "${XDG_RUNTIME_DIR}/pds/bus.key"}
                expect: {type: file, mode: "0600", owner: "${UID}", size: 32}
                remediation: chmod 0600 "$XDG_RUNTIME_DIR/pds/bus.key"
                """),
            ProbeExample("No group or other access on every key", """
                id: key-files-private
                title: Every key file is private
                category: crypto-posture
                severity: critical
                probe: {type: file, glob: "${XDG_RUNTIME_DIR}/pds/**/*.key"}
                expect: {mode: {within: "0700"}, owner: "${UID}"}
                """),
            ProbeExample("No interrupted key writes", """
                id: no-key-tmp-leftovers
                title: No leftover key temp files
                category: crypto-posture
                severity: medium
                probe: {type: file, none: "${XDG_RUNTIME_DIR}/pds/**/*.key.tmp"}
                """),
        ])

    enum Form {
        case path(String)
        case glob(String, minimum: Int64)
        case none(String)
    }

    let form: Form
    let follow: Bool

    public init(parameters: Parameters) throws(ProbeError) {
        follow = parameters.bool("follow_symlinks") ?? false
        if let path = parameters.string("path") {
            guard !path.isEmpty else { throw ProbeError("'path' is empty") }
            form = .path(path)
        } else if let pattern = parameters.string("glob") {
            guard !pattern.isEmpty else { throw ProbeError("'glob' is empty") }
            form = .glob(pattern, minimum: parameters.int("min_matches") ?? 1)
        } else if let pattern = parameters.string("none") {
            guard !pattern.isEmpty else { throw ProbeError("'none' is empty") }
            form = .none(pattern)
        } else {
            throw ProbeError("needs one of 'path', 'glob' or 'none'")
        }
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        switch form {
        case .path(let path):
            return ProbeOutput(observations: [try examine(path, context)])
        case .glob(let pattern, let minimum):
            let matches = try FileSystem.glob(pattern, deadline: context.deadline).get()
            var observations: [Observation] = []
            observations.reserveCapacity(matches.count)
            for path in matches { observations.append(try examine(path, context)) }
            let problems = matches.count < minimum
                ? ["\(matches.count) path\(matches.count == 1 ? "" : "s") match '\(pattern)', expected at least \(minimum)"] : []
            return ProbeOutput(observations: observations, problems: problems)
        case .none(let pattern):
            let matches = try FileSystem.glob(pattern, deadline: context.deadline).get()
            guard !matches.isEmpty else { return ProbeOutput(observations: []) }
            let shown = matches.prefix(5).joined(separator: ", ") + (matches.count > 5 ? ", …" : "")
            let observations = try matches.map { (path) throws(ProbeError) in try examine(path, context) }
            return ProbeOutput(observations: observations, problems: ["\(matches.count) path\(matches.count == 1 ? "" : "s") match '\(pattern)', expected none: \(shown)"])
        }
    }

    func examine(_ path: String, _ context: ProbeContext) throws(ProbeError) -> Observation {
        let info: FileSystem.Info
        switch FileSystem.info(path, follow: follow) {
        case .success(let found): info = found
        case .failure(let error) where error.code == ENOENT || error.code == ENOTDIR:
            return Observation(subject: path, values: ["exists": .bool(false)], missingReason: "\(path) does not exist")
        case .failure(let error):
            throw ProbeError("cannot examine \(path): \(FileBytes.errnoText(error.code))")
        }
        var values: ObservedValues = [
            "exists": .bool(true),
            "type": .string(info.type),
            "mode": .int(info.mode),
            "owner": .principal(id: Int64(info.uid), name: FileSystem.userName(info.uid)),
            "group": .principal(id: Int64(info.gid), name: FileSystem.groupName(info.gid)),
            "size": .int(info.size),
        ]
        if info.type == "symlink", let target = FileSystem.linkTarget(path) { values["target"] = .string(target) }
        if context.wants("sha256") {
            if info.type == "file" {
                values["sha256"] = .string(try FileSystem.sha256(path, follow: follow, deadline: context.deadline).get())
            }
        }
        return Observation(subject: path, values: values, missingReason: "\(path) is a \(info.type)")
    }
}
