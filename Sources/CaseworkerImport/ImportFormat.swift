/// The foreign definition formats `caseworker import` and `POST /v1/workflow-definitions/import`
/// read.
public enum ImportFormat: String, Sendable, Hashable, CaseIterable {
    /// Conductor's workflow definition (`PUT /api/metadata/workflow` body).
    case conductor
    /// Invopop's transform workflow (`PUT /transform/v1/workflows/{id}` body).
    case invopop

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
