import CaseworkerCore

/// A foreign definition translated: the native body (SPEC 2.4, ready for
/// `WorkflowDefinition(parsing:)`), the id it suggests, and the report. When
/// `report.isRefused`, `definition` is the best effort of the translation, for showing only.
public struct ImportResult: Sendable, Hashable {
    public var definition: JSONValue
    /// An id the foreign body names (Conductor's `name` when it is a valid definition id);
    /// `nil` when the caller must give one.
    public var suggestedId: String?
    /// Whether the body asks to be saved as a draft (Invopop `draft`); `nil` when it says nothing.
    public var isDraft: Bool?
    public var report: ImportReport

    public init(definition: JSONValue, suggestedId: String?, isDraft: Bool?, report: ImportReport) {
        self.definition = definition
        self.suggestedId = suggestedId
        self.isDraft = isDraft
        self.report = report
    }
}
