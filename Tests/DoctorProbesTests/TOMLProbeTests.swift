import DoctorCore
@testable import DoctorProbes
import DoctorTestSupport
import Foundation
import Testing

func tomlCheck(_ id: String, _ paths: [String], _ expect: String? = nil) -> String {
    fileCheck(id, "{type: toml, paths: [\(paths.map { "\"\($0)\"" }.joined(separator: ", "))]}", expect)
}

@Suite struct TOMLProbeTests {
    static let good = """
        config_version = 3

        [global]
        default_profile = "work"

        [global.ipc]
        channel_capacity = 4096
        slow_subscriber_timeout_ms = 15000

        [global.logging]
        level = "warn"
        json = true

        [crypto]
        kdf = "argon2id"
        noise_hash = "blake2s"

        [profiles.work]
        color = "#336699"
        extends = "default"

        [profiles.work.auth]
        mode = "any"
        required = ["password", "fido2"]

        [profiles.work.wm.key_bindings.g]
        apps = ["firefox"]
        launch = "firefox"

        [[policy]]
        key = "profiles.work.audit.enabled"
        value = true
        source = "org"
        """

    @Test func aValidConfigurationInLoadOrder() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-toml")
        let main = directory.write("config.toml", TOMLProbeTests.good)
        directory.write("config.d/10-a.toml", "config_version = 2\n[global.logging]\nlevel = \"debug\"\n")
        directory.write("config.d/20-b.toml", "[profiles.home]\nicon = \"house\"\n")
        let results = try await runChecks(
            tomlCheck("good", ["/nonexistent/policy.toml", main, directory.path + "/config.d/*.toml"], "{valid: true, errors: {empty: true}, unknown_keys: {empty: true}, deprecated_keys: {empty: true}, config_version: 3}")
                + tomlCheck("default", [main]))
        #expect(results.map(\.status) == [.pass, .pass], "\(results.map(\.message))")
        let files = results[0].observed.first?.value("files")?.asList?.compactMap(\.asString) ?? []
        #expect(files == [main, directory.path + "/config.d/10-a.toml", directory.path + "/config.d/20-b.toml"])
    }

    @Test func problemsCarryFileAndLine() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-toml")
        let bad = directory.write("config.toml", """
            config_version = 3

            [global.ipc]
            channel_capacity = "big"
            bogus = 1

            [global.logging]
            level = "loud"

            [profiles."_bad"]
            icon = "x"

            [settings]
            old = true

            [profiles."1work".wm]
            overlay_delay_ms = 5
            border_width = 30.0
            """)
        let broken = directory.write("broken.toml", "a = 1\n[global\nx = 1\n")
        let results = try await runChecks(tomlCheck("bad", [bad, broken], "{errors: {empty: true}}") + tomlCheck("warn", [directory.write("w.toml", "[keys.g]\napp = \"x\"\n")]))
        #expect(results.map(\.status) == [.fail, .warn], "\(results.map(\.message))")
        let seen = try #require(results[0].observed.first)
        let errors = seen.value("errors")?.asList?.compactMap(\.asString) ?? []
        #expect(errors.contains("\(bad):4: global.ipc.channel_capacity is string 'big', expected integer"), "\(errors)")
        #expect(errors.contains { $0.hasPrefix("\(bad):8: global.logging.level is 'loud', expected one of") }, "\(errors)")
        #expect(errors.contains { $0.hasPrefix("\(bad):10: profiles._bad is not a valid name") }, "\(errors)")
        // A leading digit is a valid profile name upstream (core-types/src/profile.rs:45-50), and the window
        // manager's delays and border width outside their ranges are warnings there (validation.rs:136-176).
        #expect(!errors.contains { $0.contains("1work") }, "\(errors)")
        #expect(seen.value("warnings") == .list([
            .string("\(bad):18: profiles.1work.wm.border_width is 30.0, above the advised maximum 20"),
            .string("\(bad):17: profiles.1work.wm.overlay_delay_ms is 5, below the advised minimum 10"),
        ]), "\(seen.value("warnings").map { "\($0)" } ?? "none")")
        #expect(errors.contains { $0.hasPrefix("\(broken):2:8: ") }, "\(errors)")
        #expect(seen.value("unknown_keys") == .list([.string("\(bad):5: global.ipc.bogus")]))
        #expect(seen.value("deprecated_keys")?.asList?.first?.asString?.hasPrefix("\(bad):13: settings (deprecated") == true)
        #expect(results[1].message.contains("deprecated_keys is"), "\(results[1].message)")
    }

    @Test func badFilesAreClearFailures() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-toml")
        let utf8 = directory.path + "/utf8.toml"
        _ = FileManager.default.createFile(atPath: utf8, contents: Data("a = \"".utf8) + Data([0xff]) + Data("\"\n".utf8))
        let link = directory.path + "/link.toml"
        symlink("/etc/shadow", link)
        let fifo = directory.path + "/fifo.toml"
        mkfifo(fifo, 0o600)
        let results = try await runChecks(
            tomlCheck("utf8", [utf8], "{errors: {empty: true}}") + tomlCheck("link", [link], "{errors: {empty: true}}")
                + tomlCheck("fifo", [fifo], "{errors: {empty: true}}") + tomlCheck("dir", [directory.path], "{errors: {empty: true}}")
                + tomlCheck("none", ["/nonexistent/a.toml"], "{files: {empty: false}}"))
        #expect(results.map(\.status) == [.fail, .fail, .fail, .fail, .fail], "\(results.map(\.message))")
        #expect(results[0].message.contains("not valid UTF-8"))
        #expect(results[1].message.contains("is a symlink; not followed"))
        #expect(results[2].message.contains("is a fifo, not a regular file"))
        // No file at all is valid (the daemons use their defaults); a check that needs one says so.
        #expect(results[4].message == "files is [], expected empty: false", "\(results[4].message)")
    }

    /// Found by the `toml` fuzz target (Tests/Fixtures/fuzz/): a table header with no key after its `[` (here a
    /// line break) made TOMLKit's toml++ abort the whole run (SIGABRT). It is a syntax error at its position now,
    /// for the `toml` and the `installation` probe alike.
    @Test func aTableHeaderWithoutAKeyIsASyntaxErrorNotAnAbort() async throws {
        let file = fixtures + "/fuzz/toml-table-header-newline.toml"
        let results = try await runChecks(
            tomlCheck("header", [file], "{syntax_errors: {empty: true}}")
                + fileCheck("installation", "{type: installation, path: \"\(file)\"}", "{id_valid: true}"))
        #expect(results.map(\.status) == [.fail, .fail], "\(results.map(\.message))")
        #expect(results[0].message.contains("toml-table-header-newline.toml:9:2: expected bare key starting character or string delimiter, saw '"), "\(results[0].message)")
        #expect(results[1].message.contains("toml-table-header-newline.toml:9:2: expected bare key"), "\(results[1].message)")
    }

    /// The guard finds every header toml++ would abort on, and nothing in valid documents: headers inside
    /// multi-line strings or values, arrays of arrays whose lines start with '[', quoted header keys.
    @Test func theHeaderGuardReadsTheDocumentAsTOMLDoes() throws {
        let aborting = ["[\nx]", "[[=", "[ #", "[,a]", "\u{FEFF}[\n", "a = 1\r\n[\r\n", "a = [1,\n 2]\n[ {x}]", "[[ \t\n"]
        for text in aborting {
            #expect(TOMLDocument.unsafeHeader(Array(text.utf8)) != nil, "\(text.debugDescription)")
            #expect(throws: TOMLDocument.SyntaxError.self) { try TOMLDocument.parse(text) }
        }
        let valid = [
            Self.good, "a = [\n  [1, 2],\n  [3],\n]\n[t]\nb = 1\n", "s = \"\"\"\n[\n\"\"\"\n", "s = '''\n[=\n'''\n",
            "k = \"[\" # [\n[ t ]\n", "[\"quoted key\"]\n[[arr]]\n[[arr]]\n", "t = { a = [1, [2]], b = \"]\" }\n[x]\n",
            "s = \"\"\"a\"\"\"\"\n[y]\n", "e = \"\\\"\"\n[z]\n",
        ]
        for text in valid {
            #expect(TOMLDocument.unsafeHeader(Array(text.utf8)) == nil, "\(text.debugDescription)")
            #expect(throws: Never.self) { try TOMLDocument.parse(text) }
        }
        #expect(TOMLDocument.unsafeHeader(Array("a = 1\n\n[\n".utf8)).map { "\($0.line):\($0.column) \($0.shown)" } == "3:2 \\n")
    }

    /// A schema of the admin's own is applied whole or refused: `required` holds (it was ignored, so a file
    /// lacking a required key passed), and a keyword the validator does not implement refuses the schema, naming
    /// it, when the catalog loads (the file is there) and when the check runs (its path held a variable).
    @Test func aUserSchemaIsAppliedWholeOrRefused() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-toml-schema")
        let schema = directory.write("app.schema.json", #"{"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}}"#)
        let missing = directory.write("missing.toml", "port = 80\n")
        let named = directory.write("named.toml", "name = \"x\"\nport = 80\n")
        let results = try await runChecks(
            fileCheck("missing", "{type: toml, paths: [\"\(missing)\"], schema: \"\(schema)\"}", "{valid: true}")
                + fileCheck("named", "{type: toml, paths: [\"\(named)\"], schema: \"\(schema)\"}", "{valid: true}"))
        #expect(results.map(\.status) == [.fail, .pass], "\(results.map(\.message))")
        #expect(results[0].observed.first?.value("errors")?.asList?.compactMap(\.asString).contains { $0.hasSuffix("missing.toml:1: name is required and missing") } == true, "\(results[0].observed)")
        // check-jsonschema, a validator we did not write, agrees on both files.
        for (file, valid) in [(missing, false), (named, true)] {
            let json = file + ".json"
            try python(["-c", "import json, sys, tomllib; json.dump(tomllib.load(open(sys.argv[1], 'rb')), open(sys.argv[2], 'w'))", file, json])
            let validator = try ChildProcess(["/usr/bin/env", "check-jsonschema", "--schemafile", schema, json], stdout: directory.path + "/out")
            #expect((await validator.wait() == 0) == valid, "\(file)")
        }

        let loose = directory.write("loose.schema.json", #"{"type": "object", "properties": {"name": {"type": "string", "maxLength": 3}}, "oneOf": [{"required": ["name"]}]}"#)
        let refused = await loadError(fileCheck("loose", "{type: toml, paths: [\"\(named)\"], schema: \"\(loose)\"}"))
        #expect(refused?.contains("uses keywords doctor's validator does not implement") == true, "\(refused ?? "loaded")")
        #expect(refused?.contains("#/properties/name: 'maxLength'") == true && refused?.contains("#: 'oneOf'") == true, "\(refused ?? "loaded")")
        let late = try await runChecks(fileCheck("late", "{type: toml, paths: [\"\(named)\"], schema: \"${DOCTOR_TEST_SCHEMA}\"}"), variables: ["DOCTOR_TEST_SCHEMA": loose])
        #expect(late.map(\.status) == [.error] && late.first?.message.contains("'oneOf'") == true, "\(late.map(\.message))")
        // The built-in schema uses only what the validator implements.
        let builtIn = try JSONScan.parse(Array(PDSConfigSchema.text.utf8))
        #expect(SchemaValidator.unsupportedKeywords(builtIn).isEmpty)
    }

    /// The schema means the same to check-jsonschema (a validator we did not write) as to the probe: each file,
    /// converted to JSON by Python's tomllib, is valid for both or for neither (unknown keys are violations of
    /// `additionalProperties: false`; `deprecated` is an annotation).
    @Test func theSchemaAgreesWithCheckJsonschema() async throws {
        let directory = TemporaryDirectory(prefix: "doctor-toml")
        let schema = directory.write("pds-config.schema.json", PDSConfigSchema.text)
        let corpus = [
            ("good", TOMLProbeTests.good), ("type", "[global.ipc]\nchannel_capacity = \"big\"\n"),
            ("enum", "[crypto]\nkdf = \"scrypt\"\n"), ("range", "[profiles.a.clipboard]\nmax_history = -1\n"),
            ("name", "[profiles.\"_x\"]\nicon = \"i\"\n"), ("digit-name", "[profiles.\"9x\"]\nicon = \"i\"\n"),
            ("advised-range", "[profiles.a.wm]\noverlay_delay_ms = 5000\nborder_width = 0.5\n"), ("negative-delay", "[profiles.a.wm]\noverlay_delay_ms = -1\n"), ("unknown", "[global]\nsurprise = 1\n"),
            ("deprecated", "[settings]\nold = 1\n"), ("factor", "[profiles.a.auth]\nrequired = [\"retina\"]\n"),
            ("policy", "[[policy]]\nkey = \"a..b\"\n"), ("nested-unknown", "[profiles.a.wm.key_bindings.g]\napps = [\"x\"]\nwhat = 1\n"),
        ]
        for (name, text) in corpus {
            let toml = directory.write("\(name).toml", text)
            let json = directory.path + "/\(name).json"
            try python(["-c", "import json, sys, tomllib; json.dump(tomllib.load(open(sys.argv[1], 'rb')), open(sys.argv[2], 'w'))", toml, json])
            let validator = try ChildProcess(["/usr/bin/env", "check-jsonschema", "--schemafile", schema, json], stdout: directory.path + "/out")
            let theirs = await validator.wait() == 0
            let results = try await runChecks(tomlCheck(name, [toml], "{errors: {empty: true}, unknown_keys: {empty: true}}"))
            let ours = results.first?.status == .pass
            #expect(ours == theirs, "\(name): probe \(ours ? "accepts" : "rejects"), check-jsonschema \(theirs ? "accepts" : "rejects"): \(results.first?.message ?? "")")
        }
    }
}
