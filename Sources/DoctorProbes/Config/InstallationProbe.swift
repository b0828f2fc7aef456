public import DoctorCore
import Foundation
import TOMLKit

/// Open Sesame's installation identity (`installation.toml`, written by `sesame init`): its UUIDs, and whether
/// its machine binding names this host.
public struct InstallationProbe: Probe {
    enum Parameter {
        static let path = ParameterKey.string("path", required: true, "The installation file, e.g. `${HOME}/.config/pds/installation.toml`.")
        static let machineId = ParameterKey.string("machine_id", default: "/etc/machine-id", "The file holding this host's machine id.")
    }

    enum Observed {
        static let exists = ObservationKey("exists", .bool, "The file exists.")
        static let id = ObservationKey("id", .string, "The installation id.")
        static let idValid = ObservationKey("id_valid", .bool, "`id` is a version 4 UUID.")
        static let namespaceValid = ObservationKey("namespace_valid", .bool, "`namespace` is a version 5 UUID.")
        static let binding = ObservationKey("binding", .enumeration(["matches", "mismatch", "unbound"]), "The machine binding against this host.")
        static let bindingType = ObservationKey("binding_type", .string, "`machine_binding.binding_type` (`machine-id`).")
    }

    public static let spec = ProbeSpec(
        type: "installation",
        summary: "The installation identity is well formed and, when bound, bound to this machine.",
        discussion: """
            Parses `path` (TOML; never through a symlink, at most 64 KiB). `id` must be a UUID of version 4 and \
            `namespace` one of version 5, as `sesame init` writes them. When the file has a `[machine_binding]` \
            table, its `binding_hash` is compared with the lowercase hex BLAKE3 of this host's machine id \
            (`machine_id`, trimmed of whitespace) followed by the 16 bytes of `id`: a profile directory copied \
            from another machine gives `binding: mismatch`. A file without the table gives `binding: unbound`.

            The machine id is read, hashed and compared; it is never reported.
            """,
        parameters: [Parameter.path, Parameter.machineId],
        observations: [
            Observed.exists, Observed.id, Observed.idValid, Observed.namespaceValid, Observed.binding,
            Observed.bindingType,
        ],
        defaultExpect: "{id_valid: true, namespace_valid: true, binding: {in: [matches, unbound]}}",
        examples: [
            ProbeExample("The installation is this machine's", """
                id: config-installation-binding
                title: The installation identity is valid and bound to this machine
                category: configuration
                severity: medium
                probe: {type: installation, path: "${HOME}/.config/pds/installation.toml"}
                expect:
                  id_valid: true
                  namespace_valid: true
                  binding: {in: [matches, unbound], warn_if: {eq: unbound}}
                """,
                .pass(where: "a machine with an /etc/machine-id, as the build machine"),
                .warn(containing: #"binding is "unbound""#, where: "a machine without /etc/machine-id, where the demo's installation is left unbound"),
                .fail(on: .broken, #"binding is "mismatch", expected one of ["matches", "unbound"]"#)),
        ])

    let path: String
    let machineIDPath: String

    public init(parameters: Parameters) throws(ProbeError) {
        path = parameters[Parameter.path] ?? ""
        machineIDPath = parameters[Parameter.machineId]
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        let bytes: [UInt8]
        switch FileSystem.readSmall(path, limit: 64 << 10) {
        case .success(let data): bytes = data
        case .failure(let error):
            let exists: Bool
            if case .success = FileSystem.info(path, follow: false) { exists = true } else { exists = false }
            return .single([Observed.exists: .bool(exists)], missing: exists ? error.message : "\(path) does not exist")
        }
        var values: ObservedValues = [Observed.exists: .bool(true)]
        guard let text = String(validating: bytes, as: UTF8.self) else { return .single(values, missing: "\(path) is not UTF-8") }
        let table: TOMLTable
        do throws(TOMLDocument.SyntaxError) {
            table = try TOMLDocument.parse(text)
        } catch {
            return .single(values, missing: "\(path):\(error.line):\(error.column): \(error.message)")
        }
        let id = table["id"]?.string
        let idBytes = id.flatMap(InstallationProbe.uuidBytes)
        values[Observed.idValid] = .bool(idBytes.map { InstallationProbe.version(of: $0) == 4 } ?? false)
        if let id { values[Observed.id] = .string(id) }
        let namespace = table["namespace"]?.string.flatMap(InstallationProbe.uuidBytes)
        values[Observed.namespaceValid] = .bool(namespace.map { InstallationProbe.version(of: $0) == 5 } ?? false)

        guard let binding = table["machine_binding"]?.table else {
            values[Observed.binding] = .string("unbound")
            return .single(values)
        }
        if let kind = binding["binding_type"]?.string { values[Observed.bindingType] = .string(kind) }
        guard let expected = binding["binding_hash"]?.string else {
            return .single(values, missing: "[machine_binding] has no binding_hash")
        }
        guard let idBytes else { return .single(values, missing: "the binding cannot be checked: id is not a UUID") }
        var machineID: [UInt8]
        switch FileSystem.readSmall(machineIDPath, limit: 4096, follow: true) {
        case .success(let data): machineID = data
        case .failure(let error): return .single(values, missing: "the machine id: \(error.message)")
        }
        defer { NoiseCrypto.wipe(&machineID) }
        let start = machineID.firstIndex { !InstallationProbe.isSpace($0) } ?? machineID.endIndex
        let end = machineID.lastIndex { !InstallationProbe.isSpace($0) }.map { $0 + 1 } ?? start
        guard start < end else { return .single(values, missing: "\(machineIDPath) is empty") }
        var input = Array(machineID[start..<end]) + idBytes
        defer { NoiseCrypto.wipe(&input) }
        let digest = Hex.encode(Blake3.hash(input))
        values[Observed.binding] = .string(digest == expected.lowercased() ? "matches" : "mismatch")
        return .single(values)
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    /// The 16 bytes of a UUID in its canonical 8-4-4-4-12 form; nil for anything else.
    static func uuidBytes(_ text: String) -> [UInt8]? {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return nil }
        return Hex.decode(Array(groups.joined().utf8))
    }

    /// The version nibble; 0 unless the variant is RFC 4122's.
    static func version(of bytes: [UInt8]) -> Int {
        guard bytes[8] & 0xC0 == 0x80 else { return 0 }
        return Int(bytes[6] >> 4)
    }
}
