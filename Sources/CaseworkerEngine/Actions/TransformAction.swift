import CaseworkerCore

/// `transform` — config `{set: {name: value, ...}}` writes values into the run's `state`. Every
/// value is evaluated against the state from before the step. Output: the values set.
struct TransformAction: Action {
    var hasSideEffects: Bool { false }

    func execute(_ input: ActionInput) async throws -> ActionResult {
        guard let set = input.config["set"]?.objectValue else {
            return .ko("invalid_config", "transform needs set: an object of state keys to values")
        }
        return .ok(.object(set), stateChanges: set)
    }
}

/// `switch` — config `{value}`: outcome OK with code = the value as text (strings as they are,
/// other values as compact JSON), so `next` entries branch on `code`. Output: the value.
struct SwitchAction: Action {
    var hasSideEffects: Bool { false }

    func execute(_ input: ActionInput) async throws -> ActionResult {
        let value = input.config["value"] ?? .null
        let code = value.stringValue ?? JSONText.encode(value)
        return .ok(value, code: code)
    }
}

/// `complete` — config `{result?}` ends the run `COMPLETED`; `result` is the step's output.
struct CompleteAction: Action {
    var hasSideEffects: Bool { false }

    func execute(_ input: ActionInput) async throws -> ActionResult {
        .completeRun(result: input.config["result"] ?? .null)
    }
}

/// `fail` — config `{reason, code?}` ends the run `FAILED` (rescue steps do not run).
struct FailAction: Action {
    var hasSideEffects: Bool { false }

    func execute(_ input: ActionInput) async throws -> ActionResult {
        let reason = input.config["reason"].map { $0.stringValue ?? JSONText.encode($0) } ?? "failed by the workflow"
        return .failRun(reason: reason, code: input.config["code"]?.stringValue)
    }
}
