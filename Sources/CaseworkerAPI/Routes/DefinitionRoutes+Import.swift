import CaseworkerCore
import CaseworkerImport
import CaseworkerStore
import Hummingbird

extension DefinitionRoutes {
    /// `POST /v1/workflow-definitions/import?format=conductor|invopop&id=&publish=&dryRun=&actionMap=`
    /// (docs/migrating.md): translates a foreign definition, validates it as every save does and
    /// saves it — the draft, unless `publish=true` (or, without `publish`, an Invopop body with
    /// `draft: false`). Answers `{definition, report}`: 201 when the id is new, 200 otherwise and
    /// for `dryRun=true`, which saves nothing (`definition` is then the native body). 422
    /// `import-refused` when a member cannot be translated, `validation-failed` when the
    /// translation is not a valid definition; both carry `report` and the translated `definition`.
    @Sendable func importDefinition(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let formatText = query["format"].map(String.init) else {
            throw Problem.badRequest("format is required: one of \(ImportFormat.names)")
        }
        guard let format = ImportFormat(rawValue: formatText) else {
            throw Problem.badRequest("format must be one of \(ImportFormat.names), got \(formatText.prefix(64))")
        }
        let id = query["id"].map(String.init)
        if let id, !DefinitionID.isValid(id) {
            throw Problem.badRequest("id must be a workflow definition id: 1–128 letters, digits, '-', '_' or '.'")
        }
        let publish = try Self.boolean(query["publish"].map(String.init), name: "publish")
        let dryRun = try Self.boolean(query["dryRun"].map(String.init), name: "dryRun") ?? false
        let actionMap = try Self.actionMap(query["actionMap"].map(String.init))
        let body = try await JSONBody.read(request, context: context)

        let prepared: DefinitionImport
        do {
            prepared = try DefinitionImport.prepare(body, format: format, actionMap: actionMap, id: id, rules: rules)
        } catch {
            throw Self.problem(error)
        }
        let report = prepared.result.report.jsonValue
        if dryRun {
            return .json(["id": .string(prepared.id), "definition": prepared.result.definition, "report": report, "saved": false])
        }
        let isDraft = publish.map { !$0 } ?? prepared.result.isDraft ?? true
        let saved = try await save(prepared.definition, id: prepared.id, isDraft: isDraft, overwrite: true, request, context)
        return .json(
            ["id": .string(prepared.id), "definition": saved.saved.representation, "report": report, "saved": true],
            status: saved.createdDefinition ? .created : .ok)
    }

    /// `?actionMap=`: a JSON object of provider action names to `http.request` config templates.
    static func actionMap(_ text: String?) throws -> [String: JSONValue] {
        guard let text else { return [:] }
        guard let value = try? JSONText.decode(text), let map = value.objectValue,
            map.values.allSatisfy({ $0.objectValue != nil })
        else {
            throw Problem.badRequest("actionMap must be a JSON object of action names to http.request config objects")
        }
        return map
    }

    static func problem(_ refusal: DefinitionImport.Refusal) -> Problem {
        let extensions: [String: JSONValue] = ["report": refusal.result.report.jsonValue, "definition": refusal.result.definition]
        switch refusal {
        case .untranslatable(let result):
            let refusals = result.report.refusals
            let named = refusals.prefix(3).map { "\($0.pointer.isEmpty ? "the body" : $0.pointer) (\($0.reason ?? "refused"))" }
            return Problem(
                .unprocessableContent, "import-refused",
                "\(refusals.count == 1 ? "1 member" : "\(refusals.count) members") cannot be imported: \(named.joined(separator: "; "))\(refusals.count > 3 ? "; …" : ""); see report",
                extensions: extensions)
        case .invalid(_, let errors):
            return Problem(
                .unprocessableContent, "validation-failed",
                "the translated definition has \(errors.count == 1 ? "1 problem" : "\(errors.count) problems") (pointers into definition)",
                errors: errors, extensions: extensions)
        case .missingId:
            return Problem(.badRequest, "malformed-request", "the body names no usable definition id: give one with ?id=", extensions: extensions)
        }
    }
}
