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
    enum Parameter {
        static let path = ParameterKey.string("path", "The path to examine.")
        static let glob = ParameterKey.string("glob", "A pattern: every expectation applies to each path it matches.")
        static let none = ParameterKey.string("none", "A pattern nothing may match.")
        static let followSymlinks = ParameterKey.bool("follow_symlinks", default: false, "Examine what a symlink points to instead of the link.")
        static let minMatches = ParameterKey.integer("min_matches", default: 1, "With `glob`: fewer matches than this is a failure.")
        static let checksum = ParameterKey.enumeration("checksum", ["keypair"], "How to verify `checksum`: `keypair` is Open Sesame's scheme for `NAME.key`.")
    }

    enum Observed {
        static let exists = ObservationKey("exists", .bool, "Whether the path exists (a dangling symlink exists).")
        static let type = ObservationKey("type", .enumeration(FileSystem.typeNames), "The file type.")
        static let mode = ObservationKey("mode", .fileMode, "The permission bits, including setuid, setgid and sticky.")
        static let owner = ObservationKey("owner", .principal, "The owning user (name or uid).")
        static let group = ObservationKey("group", .principal, "The owning group (name or gid).")
        static let size = ObservationKey("size", .byteSize, "The size in bytes.")
        static let target = ObservationKey("target", .string, "For a symlink, where it points.")
        static let sha256 = ObservationKey("sha256", .string, "Lowercase hex SHA-256 of a regular file's content (computed only when expected).")
        static let checksum = ObservationKey("checksum", .enumeration(["match", "mismatch", "missing"]), "With `checksum: keypair`: whether `NAME.checksum` holds the BLAKE3 hash of `NAME.key` keyed by `NAME.pub`.")
        static let checksumProblem = ObservationKey("checksum_problem", .string, "Why `checksum` is not `match` (absent when it is).")
        static let constantBytes = ObservationKey("constant_bytes", .bool, "Every byte of a regular file (at most 1 MiB) is the same, as in a salt of all zeros; false for an empty file.")
    }

    public static let spec = ProbeSpec(
        type: "file",
        summary: "A path exists (or not) with the expected type, mode, owner, group, size or SHA-256.",
        discussion: """
            Uses `lstat`: a symlink is reported as a symlink (with its `target`), never followed, unless \
            `follow_symlinks: true`. FIFOs, sockets and devices are reported, never opened; `sha256` reads \
            regular files only, and only when an expectation asks for it.

            `checksum: keypair` verifies Open Sesame's tamper checksum of a private key `NAME.key`: \
            `NAME.checksum` must hold the 32-byte BLAKE3 keyed hash of the private key, keyed by the 32-byte \
            public key `NAME.pub`. `checksum` is `match`, `mismatch`, or `missing` (no `NAME.checksum`); a key, \
            public key or checksum that is a symlink, not a regular file or not 32 bytes makes it `mismatch` \
            with the reason. Key bytes are wiped after use.

            Three forms: `path` checks one path; `glob` applies every expectation to each match (`*`, `?`, \
            `[...]` within a segment, `**` across directories; no match is a failure unless `min_matches: 0`); \
            `none` asserts that nothing matches (e.g. leftover `*.key.tmp` files).

            Modes are octal. `mode: "0600"` asks for exactly 0600; `mode: {within: "0700"}` asks for no bits \
            outside 0700 (no group or other access). Owners and groups match by name or numeric id \
            (`owner: ${UID}`).
            """,
        parameters: [Parameter.path, Parameter.glob, Parameter.none, Parameter.followSymlinks, Parameter.minMatches, Parameter.checksum],
        exactlyOneOf: [[Parameter.path, Parameter.glob, Parameter.none]],
        observations: [
            Observed.exists, Observed.type, Observed.mode, Observed.owner, Observed.group, Observed.size, Observed.target,
            Observed.sha256, Observed.checksum, Observed.checksumProblem, Observed.constantBytes,
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
                """,
                .pass()),
            ProbeExample("No group or other access on every key", """
                id: key-files-private
                title: Every key file is private
                category: crypto-posture
                severity: critical
                probe: {type: file, glob: "${XDG_RUNTIME_DIR}/pds/**/*.key"}
                expect: {mode: {within: "0700"}, owner: "${UID}"}
                """,
                .pass(),
                .fail(on: .broken, "${XDG_RUNTIME_DIR}/pds/keys/daemon-wm.key: mode is 0644, expected with no bits outside 0700")),
            ProbeExample("Every keypair matches its checksum", """
                id: crypto-daemon-key-checksums
                title: Every daemon keypair matches its tamper checksum
                category: crypto-posture
                severity: high
                probe: {type: file, glob: "${XDG_RUNTIME_DIR}/pds/keys/*.key", checksum: keypair}
                expect: {checksum: {in: [match, missing], warn_if: {eq: missing}}}
                remediation: Restart the bus host to regenerate every keypair (systemctl --user restart open-sesame-profile.service).
                """,
                .pass(),
                .fail(on: .broken, #"${XDG_RUNTIME_DIR}/pds/keys/daemon-input.key: checksum is "mismatch", expected one of ["match", "missing"]"#)),
            ProbeExample("Vault salts are 16 random-looking bytes", """
                id: vault-salt-valid
                title: Every vault salt is 16 bytes, private, and not a constant
                category: vault-integrity
                severity: high
                probe: {type: file, glob: "${HOME}/.config/pds/vaults/*.salt", min_matches: 0}
                expect: {type: file, size: 16, mode: "0600", constant_bytes: false}
                """,
                .pass(),
                .fail(on: .broken, "${HOME}/.config/pds/vaults/default.salt: size is 15 B, expected == 16 B")),
            ProbeExample("No interrupted key writes", """
                id: no-key-tmp-leftovers
                title: No leftover key temp files
                category: crypto-posture
                severity: medium
                probe: {type: file, none: "${XDG_RUNTIME_DIR}/pds/**/*.key.tmp"}
                """,
                .pass(),
                .fail(on: .broken, "1 path match '${XDG_RUNTIME_DIR}/pds/**/*.key.tmp', expected none: ${XDG_RUNTIME_DIR}/pds/keys/daemon-wm.key.tmp")),
        ])

    enum Form {
        case path(String)
        case glob(String, minimum: Int64)
        case none(String)
    }

    let form: Form
    let follow: Bool
    let checksum: Bool

    public init(parameters: Parameters) throws(ProbeError) {
        follow = parameters[Parameter.followSymlinks]
        checksum = parameters[Parameter.checksum] == "keypair"
        if let path = parameters[Parameter.path] {
            guard !path.isEmpty else { throw ProbeError("'path' is empty") }
            form = .path(path)
        } else if let pattern = parameters[Parameter.glob] {
            guard !pattern.isEmpty else { throw ProbeError("'glob' is empty") }
            form = .glob(pattern, minimum: parameters[Parameter.minMatches])
        } else if let pattern = parameters[Parameter.none] {
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
            if matches.isEmpty && minimum <= 0 { return ProbeOutput(observations: [], skipReason: FileTargets.nothingToExamine(pattern)) }
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
            return Observation(subject: path, values: [Observed.exists: .bool(false)], missingReason: "\(path) does not exist")
        case .failure(let error):
            throw ProbeError("cannot examine \(path): \(FileBytes.errnoText(error.code))")
        }
        var values: ObservedValues = [
            Observed.exists: .bool(true),
            Observed.type: .string(info.type),
            Observed.mode: .int(info.mode),
            Observed.owner: .principal(id: Int64(info.uid), name: FileSystem.userName(info.uid)),
            Observed.group: .principal(id: Int64(info.gid), name: FileSystem.groupName(info.gid)),
            Observed.size: .int(info.size),
        ]
        if info.type == "symlink", let target = FileSystem.linkTarget(path) { values[Observed.target] = .string(target) }
        if context.wants(Observed.sha256) {
            if info.type == "file" {
                values[Observed.sha256] = .string(try FileSystem.sha256(path, follow: follow, deadline: context.deadline).get())
            }
        }
        if context.wants(Observed.constantBytes), info.type == "file" {
            switch FileSystem.readSmall(path, limit: 1 << 20) {
            case .success(var bytes):
                values[Observed.constantBytes] = .bool(!bytes.isEmpty && bytes.allSatisfy { $0 == bytes[0] })
                bytes.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
            case .failure: break
            }
        }
        // Why values are missing: for anything but a regular file, its type (no sha256 of a directory).
        var reason: String? = info.type == "file" ? nil : "\(path) is a \(info.type)"
        if checksum, context.wants(Observed.checksum) {
            let (verdict, why) = FileProbe.verifyKeypair(path)
            values[Observed.checksum] = .string(verdict)
            if let why {
                values[Observed.checksumProblem] = .string(why)
                reason = why
            }
        }
        return Observation(subject: path, values: values, missingReason: reason)
    }

    /// Open Sesame's keypair checksum: `NAME.checksum` == BLAKE3-keyed(key: `NAME.pub`, data: `NAME.key`).
    static func verifyKeypair(_ keyPath: String) -> (String, String?) {
        guard keyPath.hasSuffix(".key") else { return ("mismatch", "\(keyPath) is not a NAME.key file") }
        let stem = String(keyPath.dropLast(4))
        if case .failure(let error) = FileSystem.info(stem + ".checksum", follow: false), error.code == ENOENT {
            return ("missing", "\(stem).checksum does not exist")
        }
        func read32(_ path: String) -> Result<[UInt8], ProbeError> {
            switch FileSystem.readSmall(path, limit: 32) {
            case .success(let bytes) where bytes.count != 32:
                return .failure(ProbeError("\(path) is \(bytes.count) bytes, expected 32"))
            case let other: return other
            }
        }
        var privateKey: [UInt8]
        let publicKey: [UInt8], stored: [UInt8]
        switch (read32(keyPath), read32(stem + ".pub"), read32(stem + ".checksum")) {
        case (.success(let a), .success(let b), .success(let c)): (privateKey, publicKey, stored) = (a, b, c)
        case (.failure(let error), _, _), (_, .failure(let error), _), (_, _, .failure(let error)): return ("mismatch", error.message)
        }
        defer { privateKey.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        var hasher = Blake3(key: publicKey)
        hasher.update(privateKey)
        return hasher.finalize() == stored ? ("match", nil) : ("mismatch", "\(stem).checksum does not match the keyed BLAKE3 of \(keyPath): the keypair was altered")
    }
}
