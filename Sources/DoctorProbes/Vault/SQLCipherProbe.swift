import CSQLCipher
public import DoctorCore

#if canImport(Glibc)
import Glibc
#endif

/// An SQLCipher vault: encrypted at rest, whole pages, private WAL files; with its key, opened read-only and
/// checked (schema, `integrity_check`, `cipher_integrity_check` where the linked SQLCipher has it).
public struct SQLCipherProbe: Probe {
    enum Parameter {
        static let path = ParameterKey.string("path", "The vault, e.g. `${HOME}/.config/pds/vaults/default.db`.")
        static let glob = ParameterKey.string("glob", "Every vault matching a pattern, one subject each (e.g. every profile's `vaults/*.db`); no key then.")
        static let minMatches = ParameterKey.integer("min_matches", default: 1, "With `glob`: fewer matches than this is a failure.")
        static let keyFile = ParameterKey.string("key_file", "A file holding the raw key (64 hex digits, or 32 bytes).")
        static let keyEnv = ParameterKey.string("key_env", "The name of a variable holding the raw key as 64 hex digits.")
        static let cipherPageSize = ParameterKey.integer("cipher_page_size", default: 4096, "SQLCipher's page size.")
        static let kdfIter = ParameterKey.integer("kdf_iter", default: 256000, "PBKDF2 iterations.")
        static let cipherHmacAlgorithm = ParameterKey.enumeration("cipher_hmac_algorithm", ["HMAC_SHA1", "HMAC_SHA256", "HMAC_SHA512"], default: "HMAC_SHA256", "The page HMAC.")
        static let cipherKdfAlgorithm = ParameterKey.enumeration("cipher_kdf_algorithm", ["PBKDF2_HMAC_SHA1", "PBKDF2_HMAC_SHA256", "PBKDF2_HMAC_SHA512"], default: "PBKDF2_HMAC_SHA256", "The key derivation.")
    }

    enum Observed {
        static let exists = ObservationKey("exists", .bool, "The vault file exists.")
        static let encrypted = ObservationKey("encrypted", .bool, "The first 16 bytes are not the plaintext SQLite header.")
        static let size = ObservationKey("size", .byteSize, "The file's size.")
        static let pageAligned = ObservationKey("page_aligned", .bool, "The size is a whole number of pages.")
        static let walPrivate = ObservationKey("wal_private", .bool, "`-wal` and `-shm`, if any, are the owner's with no group or other bits.")
        static let sqlcipherVersion = ObservationKey("sqlcipher_version", .string, "The linked SQLCipher's version.")
        static let opened = ObservationKey("opened", .bool, "The key opens the vault.")
        static let tables = ObservationKey("tables", .list(.string), "The tables of the schema.")
        static let integrity = ObservationKey("integrity", .string, "`ok`, or the first problem `PRAGMA integrity_check` reports.")
        static let cipherIntegrity = ObservationKey("cipher_integrity", .string, "`ok`, the first page HMAC problem, or `unsupported`.")
    }

    public static let spec = ProbeSpec(
        type: "sqlcipher",
        summary: "An SQLCipher vault is encrypted, whole and private; with its key it opens and passes its integrity checks.",
        discussion: """
            Without a key: the file exists and is a regular file; `encrypted` is true when its first 16 bytes \
            are not the plaintext header `SQLite format 3\\0`; `page_aligned` when its size is a whole number \
            of `cipher_page_size` pages; `wal_private` when the `-wal` and `-shm` files, if present, belong to \
            the vault's owner with no group or other bits.

            With a key (`key_file`: a file holding the raw key as 64 hex digits or 32 bytes; or `key_env`: a \
            variable holding the hex), the vault is opened read-only with the cipher settings given (Open \
            Sesame's are the defaults: page size 4096, HMAC_SHA256, PBKDF2_HMAC_SHA256, 256000 iterations). \
            `opened` is the key check (`SELECT count(*) FROM sqlite_master`), `tables` the schema's tables, \
            `integrity` the first line of `PRAGMA integrity_check` (`ok` when whole), `cipher_integrity` that \
            of `PRAGMA cipher_integrity_check` (page HMACs). The key is never printed or logged, and is wiped \
            after use.

            The linked SQLCipher matters: Debian 12 ships 3.4.1, which has neither the SHA-256/SHA-512 settings \
            nor `cipher_integrity_check`, and cannot open SQLCipher 4 vaults. When the settings need SQLCipher \
            4, a check that expects anything read with the key is **skipped** with the reason ("needs \
            SQLCipher ≥ 4, linked 3.4.1"), never passed and never called corrupt; `cipher_integrity` reads \
            `unsupported` below 4.2. `sqlcipher_version` is the linked library's version.
            """,
        parameters: [
            Parameter.path, Parameter.glob, Parameter.minMatches, Parameter.keyFile, Parameter.keyEnv,
            Parameter.cipherPageSize, Parameter.kdfIter, Parameter.cipherHmacAlgorithm, Parameter.cipherKdfAlgorithm,
        ],
        exactlyOneOf: [[Parameter.path, Parameter.glob]],
        observations: [
            Observed.exists, Observed.encrypted, Observed.size, Observed.pageAligned, Observed.walPrivate,
            Observed.sqlcipherVersion, Observed.opened, Observed.tables, Observed.integrity, Observed.cipherIntegrity,
        ],
        defaultExpect: "{encrypted: true, page_aligned: true}",
        examples: [
            ProbeExample("The vault is encrypted at rest", """
                id: vault-db-encrypted
                title: Every profile's vault is an encrypted SQLCipher file of whole pages
                category: vault-integrity
                severity: critical
                probe: {type: sqlcipher, glob: "${HOME}/.config/pds/vaults/*.db"}
                expect: {encrypted: true, page_aligned: true, wal_private: true}
                """,
                .pass(),
                .fail(on: .preInit, "0 paths match '${HOME}/.config/pds/vaults/*.db', expected at least 1")),
            ProbeExample("The vault opens and is whole", """
                id: vault-integrity
                title: The vault opens with its key and passes its integrity checks
                category: vault-integrity
                severity: high
                probe: {type: sqlcipher, path: "${HOME}/.config/pds/vaults/default.db", key_file: "${DOCTOR_VAULT_KEY_FILE}"}
                expect: {opened: true, tables: {contains: secrets}, integrity: ok, cipher_integrity: [ok, unsupported]}
                """,
                .skip(containing: "opening this vault needs SQLCipher ≥ 4", where: "a machine whose SQLCipher is older than 4 (Debian 12's 3.4.1, as the build machine's)"),
                .pass(where: "a machine with SQLCipher 4 or later")),
        ])

    static let keyed = ["opened", "tables", "integrity", "cipher_integrity"]

    let targets: FileTargets
    let keyFile: String?
    let keyEnv: String?
    let pageSize: Int64
    let kdfIterations: Int64
    let hmac: String
    let kdf: String

    public init(parameters: Parameters) throws(ProbeError) {
        targets = try FileTargets(parameters, path: Parameter.path, glob: Parameter.glob, minMatches: Parameter.minMatches)
        keyFile = parameters[Parameter.keyFile]
        keyEnv = parameters[Parameter.keyEnv]
        if keyFile != nil && keyEnv != nil { throw ProbeError("give 'key_file' or 'key_env', not both") }
        if targets.pattern != nil && (keyFile != nil || keyEnv != nil) { throw ProbeError("a key opens one vault: use 'path' with 'key_file' or 'key_env'") }
        pageSize = parameters[Parameter.cipherPageSize]
        guard pageSize >= 512, pageSize <= 65536, pageSize & (pageSize - 1) == 0 else { throw ProbeError("'cipher_page_size' must be a power of two from 512 to 65536") }
        kdfIterations = parameters[Parameter.kdfIter]
        guard kdfIterations >= 1 else { throw ProbeError("'kdf_iter' must be at least 1") }
        hmac = parameters[Parameter.cipherHmacAlgorithm]
        kdf = parameters[Parameter.cipherKdfAlgorithm]
    }

    /// The linked library's SQLCipher version (`PRAGMA cipher_version` on an in-memory database).
    static let linkedVersion: String = {
        var db: OpaquePointer?
        guard sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, let db else { return "unknown" }
        defer { sqlite3_close_v2(db) }
        return (try? SQLCipherProbe.rows(db, "PRAGMA cipher_version;").first) ?? "unknown"
    }()

    static func rows(_ db: OpaquePointer, _ sql: String) throws(ProbeError) -> [String] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw ProbeError(String(cString: sqlite3_errmsg(db)))
        }
        defer { sqlite3_finalize(statement) }
        var out: [String] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw ProbeError(String(cString: sqlite3_errmsg(db))) }
            out.append(sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? "")
        }
        return out
    }

    public func observe(_ context: ProbeContext) async throws(ProbeError) -> ProbeOutput {
        let (paths, problems) = try targets.resolve(deadline: context.deadline)
        if let reason = targets.nothingToExamine(paths) { return ProbeOutput(observations: [], skipReason: reason) }
        var observations: [Observation] = []
        var skipReason: String?
        for path in paths {
            let output = try observe(path, context)
            observations += output.observations
            skipReason = skipReason ?? output.skipReason
        }
        return ProbeOutput(observations: observations, problems: problems, skipReason: skipReason)
    }

    /// One vault.
    func observe(_ path: String, _ context: ProbeContext) throws(ProbeError) -> ProbeOutput {
        let version = SQLCipherProbe.linkedVersion
        var values: ObservedValues = [Observed.sqlcipherVersion: .string(version)]
        let info: FileSystem.Info
        switch FileSystem.info(path, follow: false) {
        case .failure(let error) where error.code == ENOENT:
            values[Observed.exists] = .bool(false)
            return ProbeOutput(observations: [Observation(subject: path, values: values, missingReason: "\(path) does not exist")])
        case .failure(let error): throw ProbeError("cannot examine \(path): \(FileBytes.errnoText(error.code))")
        case .success(let found): info = found
        }
        values[Observed.exists] = .bool(true)
        guard info.type == "file" else {
            return ProbeOutput(observations: [Observation(subject: path, values: values, missingReason: "\(path) is a \(info.type), not a vault file")])
        }
        values[Observed.size] = .int(info.size)
        values[Observed.pageAligned] = .bool(info.size > 0 && info.size % pageSize == 0)
        switch SQLCipherProbe.header(path) {
        case .success(let header): values[Observed.encrypted] = .bool(header != Array("SQLite format 3\0".utf8))
        case .failure(let error): return ProbeOutput(observations: [Observation(subject: path, values: values, missingReason: error.message)])
        }
        var walPrivate = true
        for suffix in ["-wal", "-shm"] {
            if case .success(let side) = FileSystem.info(path + suffix, follow: false) {
                if side.type != "file" || side.uid != info.uid || side.mode & 0o077 != 0 { walPrivate = false }
            }
        }
        values[Observed.walPrivate] = .bool(walPrivate)

        guard SQLCipherProbe.keyed.contains(where: context.wants) else {
            return ProbeOutput(observations: [Observation(subject: path, values: values)])
        }
        // The key-dependent part.
        let major = Int(version.prefix { $0.isNumber }) ?? 0
        if major < 4 && (hmac != "HMAC_SHA1" || kdf != "PBKDF2_HMAC_SHA1") {
            return ProbeOutput(observations: [Observation(subject: path, values: values)], skipReason: "opening this vault needs SQLCipher ≥ 4 (its settings use \(hmac) and \(kdf)); the linked SQLCipher is \(version)")
        }
        var key: [UInt8]
        switch loadKey(context) {
        case .success(let bytes): key = bytes
        case .failure(let error): throw error
        }
        defer { NoiseCrypto.wipe(&key) }
        var reason: String?
        do {
            try openVault(path, key: key, major: major, into: &values)
        } catch {
            values[Observed.opened] = .bool(false)
            reason = error.message
        }
        return ProbeOutput(observations: [Observation(subject: path, values: values, missingReason: reason)])
    }

    /// The first 16 bytes, read without following symlinks or opening anything but a regular file.
    static func header(_ path: String) -> Result<[UInt8], ProbeError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
        guard fd >= 0 else { return .failure(ProbeError("cannot open \(path): \(FileBytes.errnoText(errno))")) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 16)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, 16) }
        guard count >= 0 else { return .failure(ProbeError("cannot read \(path): \(FileBytes.errnoText(errno))")) }
        return .success(Array(bytes.prefix(count)))
    }

    /// The raw 32-byte key from `key_file` or `key_env`.
    func loadKey(_ context: ProbeContext) -> Result<[UInt8], ProbeError> {
        var text: [UInt8]
        let source: String
        if let keyFile {
            switch FileSystem.readSmall(keyFile, limit: 130) {
            case .success(let bytes): text = bytes
            case .failure(let error): return .failure(ProbeError("the key file: \(error.message)"))
            }
            if text.count == 32 { return .success(text) }
            source = "the key file \(keyFile)"
        } else if let keyEnv {
            guard let value = context.variables[keyEnv], !value.isEmpty else { return .failure(ProbeError("the key variable \(keyEnv) is not set")) }
            text = Array(value.utf8)
            source = "the key variable \(keyEnv)"
        } else {
            return .failure(ProbeError("expectations on opened, tables, integrity or cipher_integrity need 'key_file' or 'key_env'"))
        }
        defer { NoiseCrypto.wipe(&text) }
        while let last = text.last, last == 0x0a || last == 0x0d || last == 0x20 { text.removeLast() }
        guard text.count == 64, let key = Hex.decode(text) else {
            return .failure(ProbeError("\(source) does not hold a raw key (64 hex digits)"))
        }
        return .success(key)
    }

    /// Opens read-only, keys, applies the settings, and runs the checks.
    func openVault(_ path: String, key: [UInt8], major: Int, into values: inout ObservedValues) throws(ProbeError) {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw ProbeError("cannot open \(path): \(message)")
        }
        defer { sqlite3_close_v2(db) }
        // PRAGMA key = "x'<hex>'" in a buffer that is wiped after use; never logged.
        var statement = Array("PRAGMA key = \"x'".utf8) + Hex.encode(key).utf8 + Array("'\";".utf8) + [0]
        let keyed = statement.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { sqlite3_exec(db, $0.baseAddress, nil, nil, nil) }
        }
        NoiseCrypto.wipe(&statement)
        guard keyed == SQLITE_OK else { throw ProbeError("the key was refused") }
        var settings = ["PRAGMA cipher_page_size = \(pageSize);", "PRAGMA kdf_iter = \(kdfIterations);"]
        if major >= 4 {
            settings += ["PRAGMA cipher_hmac_algorithm = \(hmac);", "PRAGMA cipher_kdf_algorithm = \(kdf);"]
        }
        for setting in settings where sqlite3_exec(db, setting, nil, nil, nil) != SQLITE_OK {
            throw ProbeError("the setting '\(setting)' was refused: \(String(cString: sqlite3_errmsg(db)))")
        }
        do {
            _ = try SQLCipherProbe.rows(db, "SELECT count(*) FROM sqlite_master;")
        } catch {
            throw ProbeError("the key does not open \(path) (wrong key, other cipher settings, or a damaged first page): \(error.message)")
        }
        values[Observed.opened] = .bool(true)
        values[Observed.tables] = .list(try SQLCipherProbe.rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;").map { .string($0) })
        do {
            values[Observed.integrity] = .string(try SQLCipherProbe.rows(db, "PRAGMA integrity_check;").first ?? "no answer")
        } catch {
            // SQLCipher refuses a page whose HMAC does not verify; integrity_check then stops with an error.
            values[Observed.integrity] = .string("unreadable page (a page failed to decrypt or verify: \(error.message))")
        }
        let parts = SQLCipherProbe.linkedVersion.split(separator: ".").compactMap { Int($0.prefix { $0.isNumber }) }
        if (parts.first ?? 0, parts.dropFirst().first ?? 0) >= (4, 2) {
            do {
                let problems = try SQLCipherProbe.rows(db, "PRAGMA cipher_integrity_check;")
                values[Observed.cipherIntegrity] = .string(problems.first ?? "ok")
            } catch {
                values[Observed.cipherIntegrity] = .string("error: \(error.message)")
            }
        } else {
            values[Observed.cipherIntegrity] = .string("unsupported")
        }
    }
}
