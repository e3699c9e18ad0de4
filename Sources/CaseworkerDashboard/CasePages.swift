import CaseworkerCore
import CaseworkerStore
import Foundation
import Hummingbird

/// `/ui/cases/{caseId}`: the case's fields and its runs (`cases:read`, runs with
/// `workflows:read`); erase after a confirmation page (`cases:write`).
struct CasePages {
    let store: any Store

    func register(on pages: RouterGroup<DashboardContext>) {
        pages.get("cases/{caseId}", use: show)
        pages.get("cases/{caseId}/erase") { _, context in
            let (key, session) = try context.requiring(.write, on: .cases)
            let found = try await find(context, tenantId: key.tenantId)
            let body: HTML = """
                <p>Erasing wipes the case's personal fields and data for good. Its runs stay, without them.</p>
                <form method="post" action="/ui/cases/\(found.id.queryEncoded)/erase">\(Layout.csrfField(session.csrfToken))
                <button type="submit">Erase case \(found.id)</button> <a href="/ui/cases/\(found.id.queryEncoded)">Keep it</a></form>
                """
            return Layout.response(Layout.page(title: "Erase case \(found.id)?", key: key, csrf: session.csrfToken, body))
        }
        pages.post("cases/{caseId}/erase") { _, context in
            let (key, _) = try context.requiring(.write, on: .cases)
            let id = try context.parameters.require("caseId")
            guard try await store.eraseCase(tenantId: key.tenantId, id: id) != nil else { throw DashboardError.notFound("No case \(id).") }
            return Response(status: .seeOther, headers: [.location: "/ui/cases/\(id.queryEncoded)"])
        }
    }

    private func find(_ context: DashboardContext, tenantId: String) async throws -> Case {
        let id = try context.parameters.require("caseId")
        guard let found = try await store.findCase(tenantId: tenantId, id: id) else { throw DashboardError.notFound("No case \(id).") }
        return found
    }

    @Sendable func show(_ request: Request, context: DashboardContext) async throws -> Response {
        let (key, session) = try context.requiring(.read, on: .cases)
        let found = try await find(context, tenantId: key.tenantId)
        let f = found.fields
        let rows: [(String, String?)] = [
            ("External id", f.externalId), ("First name", f.firstName), ("Last name", f.lastName), ("Personal number", f.personalNumber),
            ("Email", f.email), ("Company name", f.companyName), ("Company number", f.companyNumber), ("Company address", f.companyAddress),
        ]
        let fields = rows.compactMap { label, value in value.map { HTML("<dt>\(label)</dt><dd>\($0)</dd>") } }
        var runs: HTML = ""
        if key.grants(.read, on: .workflows) {
            let page = try await store.listRuns(tenantId: key.tenantId, filter: RunFilter(caseId: found.id), page: PageRequest(limit: RunPages.pageSize))
            let items = page.items.map { run -> HTML in
                """
                <tr><td><a href="/ui/runs/\(run.id.queryEncoded)">\(run.id)</a></td><td>\(Layout.status(run.status))</td>
                <td>\(run.workflowDefinitionId) v\(run.version)</td><td>\(Layout.timestamp(run.createdAt))</td></tr>
                """
            }
            let more: HTML = page.hasMore ? #"<p><a href="/ui/runs?case=\#(found.id.queryEncoded)">All runs of this case</a></p>"# : ""
            runs = """
                <h2>Runs</h2><table><thead><tr><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Definition</th>
                <th scope="col">Created</th></tr></thead><tbody>\(items)</tbody></table>\(more)
                """
        }
        let erase: HTML =
            key.grants(.write, on: .cases) && !found.isErased ? #"<p><a href="/ui/cases/\#(found.id.queryEncoded)/erase">Erase this case…</a></p>"# : ""
        let erased: HTML = found.erasedAt.map { #"<p class="error">Erased at \#(Layout.timestamp($0)).</p>"# } ?? ""
        let body: HTML = """
            \(erased)<dl class="fields">\(fields)<dt>Created</dt><dd>\(Layout.timestamp(found.createdAt))</dd></dl>
            \(f.data.map { HTML("<h2>Data</h2>\(Layout.json(.object($0)))") } ?? "")\(erase)\(runs)
            """
        return Layout.response(Layout.page(title: "Case \(found.id)", key: key, csrf: session.csrfToken, body))
    }
}
