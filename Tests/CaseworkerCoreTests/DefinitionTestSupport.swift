import CaseworkerCore
import Testing

/// Parses JSON text into a definition, failing the test with the problems if it is invalid.
func definition(_ json: String, rules: DefinitionRules = .init(), sourceLocation: SourceLocation = #_sourceLocation) throws -> WorkflowDefinition {
    do {
        return try WorkflowDefinition(parsing: try JSONText.decode(json), rules: rules)
    } catch let failure as ValidationFailed {
        Issue.record("invalid definition: \(failure.errors)", sourceLocation: sourceLocation)
        throw failure
    }
}

/// The problems of an invalid definition, as "pointer: message" lines.
func problems(_ json: String, rules: DefinitionRules = .init()) throws -> [FieldError] {
    do {
        _ = try WorkflowDefinition(parsing: try JSONText.decode(json), rules: rules)
        return []
    } catch let failure as ValidationFailed {
        return failure.errors
    }
}
