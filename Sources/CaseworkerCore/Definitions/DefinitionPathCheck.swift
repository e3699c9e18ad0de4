/// The save-time checks of every path a definition's templates read (SPEC 2.6), so that a typo
/// is refused at save instead of evaluating to `null` at run time:
///
/// - the root must be one the context has: `case`, `params`, `input`, `state`, `steps`, `run`,
///   `now` (`stpes.x`, `stat.x`, `workflow.input.x` are refused);
/// - `case.<field>` must be a case field, `run.<member>` a member of `run`; `now` has no members;
/// - `steps.<id>` must name a step, and `steps.<id>.<member>` be `output`, `status`, `code` or
///   `attempt`;
/// - `state.<key>` must be written by `initialState`, a variable (parameter values are merged
///   into the state) or a state-writing step (a `transform`'s `set`);
/// - `params.<key>` must be a declared variable;
/// - `input.<key>` must be a property of the `inputSchema` when it lists `properties` and does not
///   open other members (`additionalProperties` absent or `false`); without such a schema the
///   input's keys are not known and not checked;
/// - `rateLimit.key` is evaluated when the run is created: it cannot read `steps`, and its
///   `state` is the initial state (`initialState` and the variables).
///
/// Only the written-out part of a path is checked (`PathReference`): below `case.data`,
/// `input.<key>`, `state.<key>`, `steps.<id>.output` and after a computed index, values are the
/// run's own. Each problem is reported at the template's exact pointer, as
/// `<template> at column <n>: <reason>`, with a near-miss suggestion when there is one
/// (`NearMiss`). The reasons are built by the static functions below, which `docs/workflows.md`
/// quotes (a test keeps them in step).
///
/// Versions stored before these checks existed are not checked again when loaded
/// (`WorkflowDefinition(loading:)`), so they stay runnable.
struct DefinitionPathCheck {
    static let roots = ["case", "params", "input", "state", "steps", "run", "now"]
    static let stepMembers = ["output", "status", "code", "attempt"]
    static let runMembers = ["id", "createdAt", "correlationId", "workflowDefinitionId", "version"]
    static let caseFields = ["id"] + CaseInput.stringFields.map(\.name) + ["data"]

    /// Where a template is, which decides what it may read.
    enum Scope {
        /// A step's config, a `when`, the definition's `output`: everything.
        case run
        /// `rateLimit.key`: no `steps`; `state` is the initial state.
        case rateLimitKey
    }

    var stepIds: Set<String>
    /// Keys written by `initialState` and the variables.
    var initialStateKeys: Set<String>
    /// Keys written by state-writing steps (`transform` `set`).
    var stepStateKeys: Set<String>
    var variableNames: Set<String>
    /// The `inputSchema`'s properties, `nil` when the input's keys are not declared.
    var inputKeys: Set<String>?

    /// The input keys a schema declares (see the type's documentation), or `nil`.
    static func declaredInputKeys(of schema: JSONValue?) -> Set<String>? {
        guard case .object(let members)? = schema, case .object(let properties)? = members["properties"] else { return nil }
        switch members["additionalProperties"] {
        case nil, .bool(false)?: return Set(properties.keys)
        default: return nil
        }
    }

    /// Checks every path of `template` (found at `pointer`), recording each problem.
    func check(_ template: Template, at pointer: String, scope: Scope, _ diagnostics: Diagnostics) {
        for expression in template.expressions {
            for path in expression.pathReferences {
                guard let (column, reason) = problem(path, scope: scope) else { continue }
                diagnostics.add(pointer, ExpressionError(source: template.source, column: column, reason: reason).description)
            }
        }
    }

    /// The column and reason of what is wrong with `path`, or `nil`.
    func problem(_ path: PathReference, scope: Scope) -> (Int, String)? {
        let first = path.members.first
        switch path.root {
        case "case":
            if let first, !Self.caseFields.contains(first.name) { return (first.column, Self.unknownCaseField(first.name)) }
        case "run":
            if let first, !Self.runMembers.contains(first.name) { return (first.column, Self.unknownRunMember(first.name)) }
        case "now":
            if let first { return (first.column, Self.memberOfNow(first.name)) }
        case "params":
            if let first, !variableNames.contains(first.name) {
                return (first.column, Self.undeclaredVariable(first.name, declared: variableNames))
            }
        case "input":
            if let first, let inputKeys, !inputKeys.contains(first.name) {
                return (first.column, Self.undeclaredInputKey(first.name, declared: inputKeys))
            }
        case "state":
            let written = scope == .rateLimitKey ? initialStateKeys : initialStateKeys.union(stepStateKeys)
            if let first, !written.contains(first.name) {
                if scope == .rateLimitKey, stepStateKeys.contains(first.name) {
                    return (first.column, Self.stateKeyNotYetWritten(first.name))
                }
                return (first.column, Self.unwrittenStateKey(first.name, written: written))
            }
        case "steps":
            if scope == .rateLimitKey { return (path.rootColumn, Self.stepsInRateLimitKey) }
            guard let first else { return nil }
            guard stepIds.contains(first.name) else { return (first.column, Self.unknownStep(first.name, ids: stepIds)) }
            if path.members.count > 1, !Self.stepMembers.contains(path.members[1].name) {
                return (path.members[1].column, Self.unknownStepMember(path.members[1].name, step: first.name))
            }
        default:
            return (path.rootColumn, Self.unknownRoot(path.root))
        }
        return nil
    }

    // MARK: - The reasons (quoted by docs/workflows.md, section 8)

    static func unknownRoot(_ name: String) -> String {
        "unknown name '\(name)' (a template reads case, params, input, state, steps, run and now)"
            + NearMiss.clause(for: name, among: roots)
    }

    static func unknownCaseField(_ name: String) -> String {
        "the case has no field '\(name)' (it has \(caseFields.joined(separator: ", ")))" + NearMiss.clause(for: name, among: caseFields)
    }

    static func unknownRunMember(_ name: String) -> String {
        "run has no member '\(name)' (it has \(runMembers.joined(separator: ", ")))" + NearMiss.clause(for: name, among: runMembers)
    }

    static func memberOfNow(_ name: String) -> String {
        "now is a string and has no member '\(name)'"
    }

    static func undeclaredVariable(_ name: String, declared: Set<String>) -> String {
        guard !declared.isEmpty else { return "'\(name)' is not a declared variable (the definition declares no variables)" }
        return "'\(name)' is not a declared variable" + NearMiss.clause(for: name, among: declared)
    }

    static func undeclaredInputKey(_ name: String, declared: Set<String>) -> String {
        "'\(name)' is not a property of the inputSchema" + NearMiss.clause(for: name, among: declared)
    }

    static func unwrittenStateKey(_ name: String, written: Set<String>) -> String {
        "'\(name)' is not written by initialState, a variable or any step" + NearMiss.clause(for: name, among: written)
    }

    static func stateKeyNotYetWritten(_ name: String) -> String {
        "'\(name)' is written by a step, but rateLimit.key is evaluated before any step runs"
    }

    static let stepsInRateLimitKey = "rateLimit.key is evaluated before any step runs: it cannot read steps"

    static func unknownStep(_ id: String, ids: Set<String>) -> String {
        "no step has the id '\(id)'" + NearMiss.clause(for: id, among: ids)
    }

    static func unknownStepMember(_ name: String, step: String) -> String {
        "steps.\(step) has no member '\(name)' (it has output, status, code, attempt)" + NearMiss.clause(for: name, among: stepMembers)
    }
}
