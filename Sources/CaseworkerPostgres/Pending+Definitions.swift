import CaseworkerCore
import CaseworkerStore
import Foundation

// TODO(#18): the PostgreSQL Definitions store is not written yet: every method throws
// `PostgresStoreError.notImplemented`, and `database.url` is refused until none does.

extension PostgresStore: DefinitionStore {
    public func saveDraft(
        tenantId: String, id: String, content: JSONValue, hash: String, actor: String, channel: String?, overwrite: Bool
    ) async throws -> DefinitionSave{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func publish(
        tenantId: String, id: String, content: JSONValue, hash: String, actor: String, channel: String?, overwrite: Bool
    ) async throws -> DefinitionSave{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func publishDraft(tenantId: String, id: String, actor: String, channel: String?) async throws -> DefinitionSave?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func findDefinition(tenantId: String, id: String, selector: VersionSelector) async throws -> DefinitionVersion?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func findRunnableVersion(tenantId: String, id: String, number: Int?) async throws -> RunnableVersion?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func listDefinitions(tenantId: String, tag: String?, page: PageRequest) async throws -> Page<DefinitionVersion>{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func listVersions(tenantId: String, id: String, page: PageRequest) async throws -> Page<DefinitionVersion>?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func setDisabled(tenantId: String, id: String, disabled: Bool, actor: String) async throws -> DefinitionVersion?{
        throw PostgresStoreError.notImplemented(#function)
    }

    public func deleteDraft(tenantId: String, id: String) async throws -> Bool?{
        throw PostgresStoreError.notImplemented(#function)
    }
}
