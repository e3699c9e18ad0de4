import CaseworkerCore

/// An import checked end to end, as the API and the CLI run it: the foreign body translated
/// (`DefinitionImporter`), the native result validated with the rules of every save
/// (`WorkflowDefinition(parsing:)`), and the id decided. Pure: saving is the caller's.
public struct DefinitionImport: Sendable {
    /// The id to save under: the one given, else the one the body suggests.
    public var id: String
    public var definition: WorkflowDefinition
    public var result: ImportResult

    /// Why an import is not saved; each case carries the translation, to show with its report.
    public enum Refusal: Error, Sendable {
        /// Some member cannot be translated (`result.report.refusals`).
        case untranslatable(ImportResult)
        /// The translation is not a valid definition: `errors` point into `result.definition`.
        case invalid(ImportResult, [FieldError])
        /// No id was given and the body suggests none (Invopop keeps its id in the URL).
        case missingId(ImportResult)

        public var result: ImportResult {
            switch self {
            case .untranslatable(let result), .invalid(let result, _), .missingId(let result): result
            }
        }
    }

    /// Translates, validates and names `body`. `id`, when given, must be a valid definition id
    /// (the caller checks it, as it checks every request's ids). `rules` are the installation's
    /// (`DefinitionRules`), as for every save.
    public static func prepare(
        _ body: JSONValue, format: ImportFormat, actionMap: [String: JSONValue] = [:], id: String?, rules: DefinitionRules = .init()
    ) throws(Refusal) -> DefinitionImport {
        let result = DefinitionImporter.translate(body, format: format, actionMap: actionMap)
        guard !result.report.isRefused else { throw .untranslatable(result) }
        let definition: WorkflowDefinition
        do { definition = try WorkflowDefinition(parsing: result.definition, rules: rules) } catch { throw .invalid(result, error.errors) }
        guard let id = id ?? result.suggestedId else { throw .missingId(result) }
        return DefinitionImport(id: id, definition: definition, result: result)
    }
}
