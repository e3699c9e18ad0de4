import CaseworkerCore
import Foundation

/// What a `workflow.run` step asks for: a child run of `definitionId` (its latest published
/// version, or `version`) for the parent's case, with `input` and the parameter set
/// `parametersId`.
public struct ChildRunRequest: Sendable, Hashable {
    public var definitionId: String
    public var version: Int?
    public var input: JSONValue
    public var parametersId: String?
}

/// `workflow.run` — config `{workflowDefinitionId, version?, input?, parametersId?}`: starts a
/// child run for the same case and waits for it, durably (the engine plans the child, the store
/// inserts it in the transaction that suspends the step). The step ends `OK` with the child's
/// result when the child completes, `KO` with code = the child's terminal status otherwise.
/// Config values computed by templates are checked here: a wrong one is `KO` `invalid_config`.
struct WorkflowRunAction: Action {
    /// The child run is inserted with the parent's commit.
    var hasSideEffects: Bool { true }

    func execute(_ input: ActionInput) async throws -> ActionResult {
        guard let id = input.config["workflowDefinitionId"]?.stringValue, DefinitionID.isValid(id) else {
            return .ko("invalid_config", "workflow.run: workflowDefinitionId must be a definition id")
        }
        var version: Int?
        if let value = input.config["version"], !value.isNull {
            guard let number = value.intValue, number >= 1 else {
                return .ko("invalid_config", "workflow.run: version must be a positive integer")
            }
            version = number
        }
        var parametersId: String?
        if let value = input.config["parametersId"], !value.isNull {
            guard let text = value.stringValue, (1...128).contains(text.count) else {
                return .ko("invalid_config", "workflow.run: parametersId must be a parameter set id")
            }
            parametersId = text
        }
        let childInput = input.config["input"].flatMap { $0.isNull ? nil : $0 } ?? .object([:])
        return .suspend(.child(ChildRunRequest(definitionId: id, version: version, input: childInput, parametersId: parametersId)))
    }
}
