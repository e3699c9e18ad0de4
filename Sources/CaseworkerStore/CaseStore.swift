import CaseworkerCore

/// Cases of each tenant.
public protocol CaseStore: Sendable {
    /// Creates a case. Throws `StoreError.duplicate(field: "externalId")` if the tenant already
    /// has a case with that `externalId`.
    func createCase(tenantId: String, fields: CaseFields) async throws -> Case
    func findCase(tenantId: String, id: String) async throws -> Case?
    /// Cases newest first, optionally only the one with `externalId`.
    func listCases(tenantId: String, externalId: String?, page: PageRequest) async throws -> Page<Case>
    /// Replaces a case's fields with `change(current)`, atomically: `change` runs inside the
    /// write transaction and may throw to abort it. Returns `nil` for an unknown case. Throws
    /// `StoreError.conflict` for an erased case and `.duplicate` for a taken `externalId`.
    func updateCase(
        tenantId: String, id: String, change: @escaping @Sendable (Case) throws -> CaseFields
    ) async throws -> Case?
    /// Erases a case (wipes its fields and `data`, sets `erasedAt`); erasing twice is harmless.
    /// Returns `nil` for an unknown case.
    func eraseCase(tenantId: String, id: String) async throws -> Case?
}
