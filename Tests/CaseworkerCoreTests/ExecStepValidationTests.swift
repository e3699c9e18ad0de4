import CaseworkerCore
import Testing

/// The save-time checks of `exec` steps: a literal program the installation lists, bounded
/// `args`, a required bounded `timeoutSeconds`; stored versions load without the installation's
/// rules.
@Suite struct ExecStepValidationTests {
    static let rules = DefinitionRules(execPrograms: ["sanctions-check", "address-check"])

    static func body(_ config: String) -> String {
        #"{"name": "x", "steps": [{"id": "s", "action": "exec", "config": \#(config)}]}"#
    }

    @Test func aListedProgramWithItsMembersIsValid() throws {
        let parsed = try definition(
            Self.body(#"{"program": "sanctions-check", "args": ["--list", "${input.list}"], "input": {"n": "${case.lastName}"}, "timeoutSeconds": "${params.t}"}"#)
                .replacingOccurrences(of: #""name": "x""#, with: #""name": "x", "variables": {"t": {"type": "number", "default": 5}}"#),
            rules: Self.rules)
        #expect(parsed.steps.first?.action == .exec)
    }

    @Test func anUnlistedProgramIsRefusedWithTheKnownNamesAndNoneListedSaysSo() throws {
        let unlisted = Self.body(#"{"program": "world-check", "timeoutSeconds": 5}"#)
        #expect(
            try problems(unlisted, rules: Self.rules)
                == [FieldError(property: "/steps/0/config/program", message: "names no program of engine.exec.programs (known: address-check, sanctions-check)")])
        #expect(
            try problems(unlisted)
                == [FieldError(
                    property: "/steps/0/config/program",
                    message: "names no program of engine.exec.programs (none is listed: an operator lists programs in engine.exec.programs)")])
    }

    @Test func aTemplatedProgramIsRefused() throws {
        #expect(
            try problems(Self.body(#"{"program": "${input.program}", "timeoutSeconds": 5}"#), rules: Self.rules)
                == [FieldError(property: "/steps/0/config/program", message: "must be a literal program name, not a template")])
    }

    @Test func timeoutSecondsIsRequiredAndBounded() throws {
        #expect(
            try problems(Self.body(#"{"program": "sanctions-check"}"#), rules: Self.rules)
                == [FieldError(property: "/steps/0/config/timeoutSeconds", message: "is required")])
        #expect(
            try problems(Self.body(#"{"program": "sanctions-check", "timeoutSeconds": 3601}"#), rules: Self.rules)
                == [FieldError(property: "/steps/0/config/timeoutSeconds", message: "must be a number of seconds from 0.001 to 3600")])
    }

    @Test func argsAreBoundedStringsAndUnknownMembersAreRefused() throws {
        let many = "[" + Array(repeating: #""a""#, count: 65).joined(separator: ", ") + "]"
        let long = String(repeating: "x", count: 4097)
        let found = try problems(
            Self.body(#"{"program": "sanctions-check", "timeoutSeconds": 5, "args": \#(many), "shell": true}"#), rules: Self.rules)
        #expect(found.map(\.property) == ["/steps/0/config/args", "/steps/0/config/shell"])
        let wrong = try problems(
            Self.body(#"{"program": "sanctions-check", "timeoutSeconds": 5, "args": [1, "\#(long)"]}"#), rules: Self.rules)
        #expect(wrong.map(\.property) == ["/steps/0/config/args/0", "/steps/0/config/args/1"])
    }

    @Test func aStoredVersionLoadsWhateverTheInstallationListsNow() throws {
        let stored = try JSONText.decode(Self.body(#"{"program": "retired-check", "timeoutSeconds": 5}"#))
        #expect(try WorkflowDefinition(loading: stored).steps.first?.action == .exec)
    }
}
