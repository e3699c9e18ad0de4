import Synchronization

/// Parsed definition versions by `versionId`. Published versions are immutable, so an entry never
/// goes stale and each version is parsed once per process (SPEC: templates are parsed once).
public final class DefinitionCache: Sendable {
    private let parsed = Mutex<[String: WorkflowDefinition]>([:])

    public init() {}

    /// The parsed version `versionId`, parsing `load()`'s content on the first use.
    public func definition(versionId: String, load: () async throws -> JSONValue?) async throws -> WorkflowDefinition {
        if let cached = parsed.withLock({ $0[versionId] }) { return cached }
        guard let content = try await load() else { throw MissingDefinitionVersion(versionId: versionId) }
        let definition = try WorkflowDefinition(loading: content)
        parsed.withLock { $0[versionId] = definition }
        return definition
    }
}

public struct MissingDefinitionVersion: Error, CustomStringConvertible {
    public var versionId: String
    public var description: String { "the definition version \(versionId) is missing" }
}
