import CaseworkerCore

/// Translates a foreign workflow definition into a native one (pure: no store, no clock).
///
/// The result's `definition` is a native body (SPEC 2.4) without `isDraft` (Invopop's `draft`
/// is `ImportResult.isDraft`); members with no native place are kept in its `metadata.<format>`.
/// The report has an entry for every member of the foreign body, at every depth, by its JSON
/// pointer (or one for an ancestor covering its value): mapped, defaulted, kept, ignored (with
/// why nothing is lost) or refused (with why and what to do). A body that is not an object, or
/// lacks a required member, is refused. The translation is not validated here: callers pass
/// `definition` to `WorkflowDefinition(parsing:)` (`DefinitionImport.prepare` does both).
///
/// The mappings: `ConductorTranslator` (and its `+Tasks`, `+TaskTypes` extensions,
/// `ConductorTemplates`), `InvopopTranslator` (and `ActionMapSubstitution`).
public enum DefinitionImporter {
    /// `actionMap`: for Invopop provider actions (`email.send`, …), an `http.request` config
    /// template to use instead; the step's own `config` is available to its templates as
    /// `${config}` and `${config.a.b}` (see `ActionMapSubstitution`). Conductor bodies ignore it.
    public static func translate(_ body: JSONValue, format: ImportFormat, actionMap: [String: JSONValue] = [:]) -> ImportResult {
        switch format {
        case .conductor: ConductorTranslator.translate(body)
        case .invopop: InvopopTranslator.translate(body, actionMap: actionMap)
        }
    }
}
