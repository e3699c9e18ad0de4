import CaseworkerCore

/// The JSON columns a `RunChange` writes, encoded: a store encodes a change before its
/// transaction, so that the transaction holds SQL only (docs/PERFORMANCE.md).
public struct EncodedRunChange: Sendable {
    public var runId: String
    /// `nil` when the change leaves the column as stored.
    public var state: String?
    public var stepResults: String?
    public var result: String?
    public var error: String?
    /// The `parameters` and `output` of each recorded task, by task id.
    public var tasks: [String: (parameters: String, output: String)] = [:]

    /// Encodes `change`'s JSON. Applying the change may alter the run's wait and due time
    /// (`consumeKeptSignal`), never these.
    public init(_ change: RunChange) {
        let run = change.run
        runId = run.id
        state = change.writesState ? JSONText.encode(.object(run.state)) : nil
        stepResults = change.writesStepResults ? JSONText.encode(.object(run.stepResults)) : nil
        result = run.result.map(JSONText.encode)
        error = run.error.map { JSONText.encode($0.json) }
        for case .recordTask(let task, _) in change.effects { tasks[task.id] = Self.task(task) }
    }

    /// `encoded` when it encodes `change`'s run, else `change` encoded now (a change applied as
    /// an effect of the encoded one: a parent woken, a child cancelled).
    public static func of(_ change: RunChange, reusing encoded: EncodedRunChange?) -> EncodedRunChange {
        if let encoded, encoded.runId == change.run.id { return encoded }
        return EncodedRunChange(change)
    }

    /// The task's `parameters` and `output`, from `encoded` when it has them.
    public static func task(_ task: RunTask, reusing encoded: EncodedRunChange?) -> (parameters: String, output: String) {
        encoded?.tasks[task.id] ?? Self.task(task)
    }

    static func task(_ task: RunTask) -> (parameters: String, output: String) {
        (JSONText.encode(task.parameters), JSONText.encode(task.output))
    }
}
