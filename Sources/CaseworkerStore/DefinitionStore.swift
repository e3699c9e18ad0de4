import CaseworkerCore
import Foundation

/// One stored version of a workflow definition (the draft is version -1), with what the API shows
/// about the definition as a whole.
/// A published version as `POST /v1/workflows/run` needs it (see `findRunnableVersion`).
public struct RunnableVersion: Sendable, Hashable {
    public var version: Int
    public var versionId: String
    public var disabled: Bool

    public init(version: Int, versionId: String, disabled: Bool) {
        self.version = version
        self.versionId = versionId
        self.disabled = disabled
    }
}

public struct DefinitionVersion: Sendable, Hashable {
    public static let draft = -1

    public var definitionId: String
    /// N ≥ 1 for a published version, -1 for the draft.
    public var version: Int
    /// A ULID naming exactly this version (a draft gets a new one each time it is replaced).
    public var versionId: String
    /// The content, as validated and stored.
    public var content: JSONValue
    public var hash: String
    /// The published version numbers of the definition, ascending.
    public var versions: [Int]
    public var hasDraft: Bool
    public var disabled: Bool
    /// When and by whom this version was first written.
    public var createdAt: Date
    public var createdBy: String
    /// When and by whom it was last written (differs from `created*` only for a replaced draft).
    public var updatedAt: Date
    public var updatedBy: String
    /// The `X-Channel` of the request that last wrote this version (SPEC 2.1), if it had one.
    public var channel: String?

    public init(
        definitionId: String, version: Int, versionId: String, content: JSONValue, hash: String, versions: [Int],
        hasDraft: Bool, disabled: Bool, createdAt: Date, createdBy: String, updatedAt: Date, updatedBy: String,
        channel: String? = nil
    ) {
        self.definitionId = definitionId
        self.version = version
        self.versionId = versionId
        self.content = content
        self.hash = hash
        self.versions = versions
        self.hasDraft = hasDraft
        self.disabled = disabled
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
        self.channel = channel
    }
}

/// Which version of a definition to read.
public enum VersionSelector: Sendable, Hashable {
    /// The latest published version, else the draft.
    case current
    /// The latest published version.
    case latest
    case draft
    case number(Int)
}

/// What a save did.
public struct DefinitionSave: Sendable {
    public var saved: DefinitionVersion
    /// Whether the definition id was new.
    public var createdDefinition: Bool
    /// Whether a new version was written (false when publishing content identical to the latest).
    public var wroteVersion: Bool

    public init(saved: DefinitionVersion, createdDefinition: Bool, wroteVersion: Bool) {
        self.saved = saved
        self.createdDefinition = createdDefinition
        self.wroteVersion = wroteVersion
    }
}

/// Workflow definitions: a draft and immutable published versions per definition id.
///
/// The store does not interpret content: the API validates it (`WorkflowDefinition(parsing:)`)
/// and passes the document and its hash. `actor` and `channel` (the request's `X-Channel`) are
/// recorded on the version written.
public protocol DefinitionStore: Sendable {
    /// Saves or replaces the draft. With `overwrite: false` an existing id is a
    /// `StoreError.conflict`.
    func saveDraft(tenantId: String, id: String, content: JSONValue, hash: String, actor: String, channel: String?, overwrite: Bool) async throws
        -> DefinitionSave
    /// Publishes `content` as version N+1, unless the latest version has the same hash, which is
    /// returned unchanged. With `overwrite: false` an existing id is a `StoreError.conflict`.
    func publish(tenantId: String, id: String, content: JSONValue, hash: String, actor: String, channel: String?, overwrite: Bool) async throws
        -> DefinitionSave
    /// Publishes the draft (which then no longer exists). `nil` for an unknown definition;
    /// `StoreError.conflict` when it has no draft.
    func publishDraft(tenantId: String, id: String, actor: String, channel: String?) async throws -> DefinitionSave?
    func findDefinition(tenantId: String, id: String, selector: VersionSelector) async throws -> DefinitionVersion?
    /// What starting a run needs of a published version, without reading its content: version
    /// `number`, or the latest published one when `nil`. `nil` when there is no such version
    /// (or no such definition). Content comes from `RunStore.definitionContent(versionId:)`, once
    /// per version, through a `DefinitionCache`.
    func findRunnableVersion(tenantId: String, id: String, number: Int?) async throws -> RunnableVersion?
    /// Definitions in id order, each at its current version; with `tag`, those whose current
    /// version has it. `PageRequest.beforeId` is read as "after this id".
    func listDefinitions(tenantId: String, tag: String?, page: PageRequest) async throws -> Page<DefinitionVersion>
    /// Published versions, newest first (`beforeId` is a version number). `nil` for an unknown definition.
    func listVersions(tenantId: String, id: String, page: PageRequest) async throws -> Page<DefinitionVersion>?
    /// Disables or enables; returns the current version, `nil` for an unknown definition.
    func setDisabled(tenantId: String, id: String, disabled: Bool, actor: String) async throws -> DefinitionVersion?
    /// Deletes the draft. `nil` for an unknown definition, `false` when there was no draft.
    func deleteDraft(tenantId: String, id: String) async throws -> Bool?
}
