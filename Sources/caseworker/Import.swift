import ArgumentParser
import CaseworkerCore
import CaseworkerImport
import CaseworkerStore
import Foundation

/// `caseworker import`: the CLI side of `POST /v1/workflow-definitions/import` (docs/migrating.md),
/// writing to the instance's database directly, as `keys` does.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a Conductor or Invopop workflow definition: translate, validate, save (a draft unless --publish).",
        discussion: """
            Prints {id, definition, report, saved} as JSON on stdout and the report as a table on \
            stderr. Exits 0 when saved (or with --dry-run, when it would be), 65 when the body \
            cannot be imported (the report says why), 64 when no id can be decided.
            """)

    @OptionGroup var instance: InstanceOptions

    @Option(help: "The foreign format: \(ImportFormat.names).")
    var format: String

    @Argument(help: "The foreign definition (a JSON file; - for standard input).")
    var file: String

    @Option(help: "The definition id (default: Conductor's name).")
    var id: String?

    @Option(help: "The tenant to import into (default with --dev: dev).")
    var tenant: String?

    @Option(
        name: .customLong("map-action"), parsing: .singleValue,
        help: "ACTION=FILE: an http.request config template (JSON) for a provider action, e.g. email.send=email.json (repeatable).")
    var actionMaps: [String] = []

    @Flag(help: "Publish a version instead of saving the draft.")
    var publish = false

    @Flag(name: .customLong("dry-run"), help: "Translate and validate only; save nothing.")
    var dryRun = false

    func validate() throws {
        guard ImportFormat(rawValue: format) != nil else { throw ValidationError("--format must be one of \(ImportFormat.names)") }
        if let id, !DefinitionID.isValid(id) { throw ValidationError("--id must be 1–128 letters, digits, '-', '_' or '.'") }
        if tenant == nil && !instance.dev { throw ValidationError("--tenant is required (it defaults to dev only with --dev)") }
        for entry in actionMaps where !entry.contains("=") { throw ValidationError("--map-action takes ACTION=FILE, got \(entry)") }
    }

    func run() async throws {
        let body = try Self.readJSON(file)
        var actionMap: [String: JSONValue] = [:]
        for entry in actionMaps {
            let (action, path) = (String(entry.prefix { $0 != "=" }), String(entry.drop { $0 != "=" }.dropFirst()))
            let template = try Self.readJSON(path)
            guard template.objectValue != nil else { throw ValidationError("--map-action \(action): \(path) must hold a JSON object") }
            actionMap[action] = template
        }

        // The instance's rules, as the API applies them: `exec` steps may name its listed programs.
        let config = try await instance.loadConfig()
        let rules = DefinitionRules(execPrograms: Set(config.engineExec.programs.keys), maxBranches: config.engine.maxBranches)
        let prepared: DefinitionImport
        do {
            prepared = try DefinitionImport.prepare(body, format: ImportFormat(rawValue: format)!, actionMap: actionMap, id: id, rules: rules)
        } catch {
            Self.printReport(error.result.report)
            switch error {
            case .untranslatable(let result):
                Console.error("not imported: \(result.report.refusals.count) member(s) cannot be translated (refused above)")
                print(JSONText.encode(["definition": result.definition, "report": result.report.jsonValue, "saved": false]))
                throw ExitCode(65)
            case .invalid(let result, let errors):
                Console.error("not imported: the translation is not a valid definition:")
                for problem in errors { Console.error("  \(problem.property): \(problem.message)") }
                print(JSONText.encode(["definition": result.definition, "report": result.report.jsonValue, "saved": false]))
                throw ExitCode(65)
            case .missingId:
                Console.error("not imported: the body names no usable definition id; give one with --id")
                throw ExitCode(64)
            }
        }
        Self.printReport(prepared.result.report)
        let report = prepared.result.report.jsonValue
        guard !dryRun else {
            Console.error("dry run: \(prepared.id) translates and validates; nothing saved")
            print(JSONText.encode(["id": .string(prepared.id), "definition": prepared.result.definition, "report": report, "saved": false]))
            return
        }

        let tenantId = tenant ?? "dev"
        let publish = self.publish
        try await instance.withMigratedStore { store in
            try await Self.save(prepared, report: report, tenantId: tenantId, publish: publish, into: store)
        }
    }

    /// Saves the imported definition for `tenantId` (a tenant that exists: it has a key).
    static func save(_ prepared: DefinitionImport, report: JSONValue, tenantId: String, publish: Bool, into store: any Store) async throws {
        guard try await !store.listKeys(tenantId: tenantId).isEmpty else {
            Console.error("no tenant \(tenantId): create it with `caseworker keys create --tenant \(tenantId) …` first")
            throw ExitCode(1)
        }
        let document = prepared.definition.document
        let isDraft = publish ? false : prepared.result.isDraft ?? true
        let saved =
            isDraft
            ? try await store.saveDraft(
                tenantId: tenantId, id: prepared.id, content: document, hash: prepared.definition.hash, actor: "caseworker import",
                channel: "import", overwrite: true)
            : try await store.publish(
                tenantId: tenantId, id: prepared.id, content: document, hash: prepared.definition.hash, actor: "caseworker import",
                channel: "import", overwrite: true)
        let version = saved.saved.version == DefinitionVersion.draft ? "the draft" : "version \(saved.saved.version)"
        Console.error("imported \(prepared.id) as \(version) for tenant \(tenantId)")
        print(JSONText.encode(["id": .string(prepared.id), "definition": saved.saved.content, "report": report, "saved": true]))
    }

    static func readJSON(_ path: String) throws -> JSONValue {
        let data: Data
        do {
            data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("cannot read \(path): \(error.localizedDescription)")
        }
        do { return try JSONText.decode(data) } catch { throw ValidationError("\(path) is not valid JSON") }
    }

    static func printReport(_ report: ImportReport) {
        let rows = report.entries.map { entry in
            [entry.pointer.isEmpty ? "(body)" : entry.pointer, entry.outcome.rawValue, entry.target ?? entry.value.map(JSONText.encode) ?? "", entry.reason ?? ""]
        }
        Console.error(Table.render(header: ["MEMBER", "OUTCOME", "TO", "WHY"], rows: rows))
    }
}
