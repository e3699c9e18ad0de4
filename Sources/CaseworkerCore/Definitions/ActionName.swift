/// The actions a step may name (SPEC 2.5).
public enum ActionName: String, Sendable, Hashable, CaseIterable {
    case httpRequest = "http.request"
    case transform
    case `switch`
    case wait
    case await
    case workflowRun = "workflow.run"
    case complete
    case fail
    case eventEmit = "event.emit"
    case parallel
    case task
    case exec

    /// Actions that end the run themselves: their `next` rules never apply.
    public var endsRun: Bool { self == .complete || self == .fail }

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
