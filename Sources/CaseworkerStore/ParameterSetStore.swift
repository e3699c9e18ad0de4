import CaseworkerCore

/// Parameter sets of each tenant.
public protocol ParameterSetStore: Sendable {
    func createParameterSet(tenantId: String, input: ParameterSetInput) async throws -> ParameterSet
    func findParameterSet(tenantId: String, id: String) async throws -> ParameterSet?
}
