import CaseworkerCore

/// Translates a foreign workflow definition into a native one (pure: no store, no clock).
///
/// TODO(#22): being written; the Conductor and Invopop translations land with their tests.
public enum DefinitionImporter {
    /// `actionMap`: for Invopop provider actions (`email.send`, …), an `http.request` config
    /// template to use instead; the step's own `config` is available to its templates as
    /// `${config.…}`... (see docs/migrating.md).
    public static func translate(_ body: JSONValue, format: ImportFormat, actionMap: [String: JSONValue] = [:]) -> ImportResult {
        ImportResult(
            definition: .object([:]), suggestedId: nil, isDraft: nil,
            report: ImportReport(format: format, entries: [
                ImportReport.Entry(pointer: "", outcome: .refused, reason: "the importer is not written yet", coversValue: true)
            ]))
    }
}
