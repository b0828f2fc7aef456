import DoctorCore
import DoctorYAML
import Testing

@Suite struct TemplateTests {
    @Test func expandsVariablesFallbacksAndEscapes() throws {
        let template = try #require(try Template.parse("${HOME}/x/${MISSING:-d}/$$HOME/$x"))
        #expect(try template.expand(Variables(["HOME": "/h"])) == "/h/x/d/$HOME/$x")
        #expect(template.variableNames == ["HOME", "MISSING"])
    }

    /// A fallback is a template of its own (`${XDG_CONFIG_HOME:-${HOME}/.config}`), used when the variable is
    /// undefined or empty, as in a shell. Before, the first `}` ended the reference and the path silently became
    /// `${HOME/.config}/pds`.
    @Test func fallbacksNestAndApplyToEmptyValues() throws {
        let template = try #require(try Template.parse("${XDG_CONFIG_HOME:-${HOME}/.config}/pds"))
        #expect(try template.expand(Variables(["HOME": "/h"])) == "/h/.config/pds")
        #expect(try template.expand(Variables(["HOME": "/h", "XDG_CONFIG_HOME": ""])) == "/h/.config/pds")
        #expect(try template.expand(Variables(["HOME": "/h", "XDG_CONFIG_HOME": "/c"])) == "/c/pds")
        #expect(template.variableNames == ["XDG_CONFIG_HOME", "HOME"])
        // The fallback's own variables must be defined when it is used.
        #expect(throws: UndefinedVariable.self) { try template.expand(Variables()) }
        let deep = try #require(try Template.parse("${A:-${B:-${C}x}y}$${z}"))
        #expect(try deep.expand(Variables(["C": "c"])) == "cxy${z}")
        #expect(throws: TemplateError.self) { try Template.parse("${A:-${B}") }
    }

    @Test func textWithoutDollarIsNotATemplate() throws {
        #expect(try Template.parse("/etc/passwd") == nil)
    }

    @Test func undefinedVariablesAreErrorsNotEmptyStrings() throws {
        let template = try #require(try Template.parse("${NOPE}/x"))
        #expect(throws: UndefinedVariable.self) { try template.expand(Variables()) }
    }

    @Test func badSyntaxIsRejected() {
        #expect(throws: TemplateError.self) { try Template.parse("${OPEN") }
        #expect(throws: TemplateError.self) { try Template.parse("${1BAD}") }
    }
}
