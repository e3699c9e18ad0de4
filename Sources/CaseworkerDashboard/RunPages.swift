import CaseworkerCore
import CaseworkerStore
import Foundation
import Hummingbird

/// `/ui/runs` (filters, cursor paging) and `/ui/runs/{runId}` (status, error, the paged task
/// timeline, cancel and retry). Read pages need `workflows:read`, actions `workflows:write`.
struct RunPages {
    static let pageSize = 50
    static let timelinePageSize = 100

    let store: any Store

    func register(on pages: RouterGroup<DashboardContext>) {
        pages.get("runs", use: list)
        pages.get("runs/{runId}", use: run)
        pages.post("runs/{runId}/cancel") { request, context in
            let (key, _) = try context.requiring(.write, on: .workflows)
            let id = try context.parameters.require("runId")
            guard try await store.cancelRun(tenantId: key.tenantId, id: id) != nil else { throw DashboardError.notFound("No run \(id).") }
            return Response(status: .seeOther, headers: [.location: "/ui/runs/\(id.queryEncoded)"])
        }
        pages.post("runs/{runId}/retry") { request, context in
            let (key, _) = try context.requiring(.write, on: .workflows)
            let id = try context.parameters.require("runId")
            guard let run = try await store.findRun(tenantId: key.tenantId, id: id) else { throw DashboardError.notFound("No run \(id).") }
            guard let step = context.form.nonEmpty("stepId") ?? run.error?.stepId ?? run.currentStepId else {
                throw DashboardError.conflict("The run has no failed step to retry from.")
            }
            _ = try await store.retryRun(tenantId: key.tenantId, id: id, fromStepId: step)
            return Response(status: .seeOther, headers: [.location: "/ui/runs/\(id.queryEncoded)"])
        }
    }

    @Sendable func list(_ request: Request, context: DashboardContext) async throws -> Response {
        let (key, session) = try context.requiring(.read, on: .workflows)
        let query = request.query
        var filter = RunFilter()
        if let status = query.nonEmpty("status") {
            guard let value = RunStatus(rawValue: status) else { throw DashboardError.badRequest("Unknown status \(status).") }
            filter.status = value
        }
        filter.workflowDefinitionId = query.nonEmpty("definition")
        filter.caseId = query.nonEmpty("case")
        let page = try await store.listRuns(tenantId: key.tenantId, filter: filter, page: PageRequest(limit: Self.pageSize, beforeId: query.nonEmpty("before")))
        let rows = page.items.map { run -> HTML in
            """
            <tr><td><a href="/ui/runs/\(run.id.queryEncoded)">\(run.id)</a></td><td>\(Layout.status(run.status))</td>
            <td>\(run.workflowDefinitionId) v\(run.version)</td><td><a href="/ui/cases/\(run.caseId.queryEncoded)">\(run.caseId)</a></td><td>\(Layout.timestamp(run.createdAt))</td>
            <td>\(run.error?.code)</td></tr>
            """
        }
        let options = [HTML(#"<option value="">any</option>"#)] + RunStatus.allCases.map { status in
            HTML(#"<option\#(filter.status == status ? HTML(" selected") : "")>\#(status.rawValue)</option>"#)
        }
        var next: HTML = ""
        if page.hasMore, let last = page.items.last {
            var fields = ["before=" + last.id.queryEncoded]
            for name in ["status", "definition", "case"] { if let value = query.nonEmpty(name) { fields.append("\(name)=\(value.queryEncoded)") } }
            next = #"<p><a rel="next" href="/ui/runs?\#(fields.joined(separator: "&"))">Older runs</a></p>"#
        }
        let body: HTML = """
            <form method="get" action="/ui/runs" class="filters" role="search">
            <label>Status <select name="status">\(options)</select></label>
            <label>Definition <input name="definition" value="\(filter.workflowDefinitionId)"></label>
            <label>Case <input name="case" value="\(filter.caseId)"></label>
            <button type="submit">Filter</button></form>
            <table><thead><tr><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Definition</th><th scope="col">Case</th>
            <th scope="col">Created</th><th scope="col">Error</th></tr></thead><tbody>\(rows)</tbody></table>
            \(page.items.isEmpty ? HTML("<p>No runs match.</p>") : "")\(next)
            """
        return Layout.response(Layout.page(title: "Runs", key: key, csrf: session.csrfToken, body))
    }

    @Sendable func run(_ request: Request, context: DashboardContext) async throws -> Response {
        let (key, session) = try context.requiring(.read, on: .workflows)
        let id = try context.parameters.require("runId")
        guard let (run, tasks) = try await store.runExecution(tenantId: key.tenantId, runId: id) else { throw DashboardError.notFound("No run \(id).") }
        let after = request.query.nonEmpty("after")
        // TODO(#21): read only the page from the store (an index on run_tasks(run_id, id) is there).
        let remaining = after.map { cursor in tasks.drop { $0.id <= cursor } } ?? tasks[...]
        let shown = remaining.prefix(Self.timelinePageSize)
        let rows = shown.map { task -> HTML in
            """
            <tr><td>\(task.stepId)\(task.name.map { HTML(" <span class=\"hint\">\(HTML.escape($0))</span>") } ?? "")</td>
            <td>\(task.action)</td><td>\(task.attempt)</td><td>\(task.outcome.description)</td>
            <td>\(Layout.timestamp(task.startedAt))</td><td>\(Layout.timestamp(task.finishedAt))</td>
            <td><details><summary>Parameters and output</summary>\(Layout.json(task.parameters))\(Layout.json(task.output))\
            \(task.error.map { HTML(#"<p class="error">\#(HTML.escape($0))</p>"#) } ?? "")</details></td></tr>
            """
        }
        var next: HTML = ""
        if remaining.count > shown.count, let last = shown.last {
            next = #"<p><a rel="next" href="/ui/runs/\#(run.id.queryEncoded)?after=\#(last.id.queryEncoded)">Later tasks</a></p>"#
        }
        var actions: [HTML] = []
        if key.grants(.write, on: .workflows) {
            if !run.status.isTerminal { actions.append(Layout.actionButton("Cancel run", action: "/ui/runs/\(run.id.queryEncoded)/cancel", csrf: session.csrfToken)) }
            if run.status == .failed || run.status == .timedOut {
                actions.append(Layout.actionButton("Retry run", action: "/ui/runs/\(run.id.queryEncoded)/retry", csrf: session.csrfToken))
            }
        }
        let error: HTML = run.error.map { #"<p class="error" role="alert">\#($0.code): \#($0.message)</p>"# } ?? ""
        let body: HTML = """
            <dl class="fields"><dt>Status</dt><dd>\(Layout.status(run.status))</dd>
            <dt>Definition</dt><dd><a href="/ui/definitions/\(run.workflowDefinitionId.queryEncoded)?version=\(run.version)">\(run.workflowDefinitionId) version \(run.version)</a></dd>
            <dt>Case</dt><dd><a href="/ui/cases/\(run.caseId.queryEncoded)">\(run.caseId)</a></dd><dt>Current step</dt><dd>\(run.currentStepId ?? "—")</dd>
            <dt>Correlation id</dt><dd>\(run.correlationId ?? "—")</dd>
            <dt>Created</dt><dd>\(Layout.timestamp(run.createdAt))</dd><dt>Finished</dt><dd>\(Layout.timestamp(run.finishedAt))</dd></dl>
            \(error)<p>\(actions)</p>
            <h2>Timeline</h2><p class="hint">\(tasks.count) tasks.</p>
            <table><thead><tr><th scope="col">Step</th><th scope="col">Action</th><th scope="col">Attempt</th><th scope="col">Outcome</th>
            <th scope="col">Started</th><th scope="col">Finished</th><th scope="col">Details</th></tr></thead><tbody>\(rows)</tbody></table>\(next)
            <h2>Result</h2>\(run.result.map(Layout.json) ?? "<p>None yet.</p>")
            """
        return Layout.response(Layout.page(title: "Run \(run.id)", key: key, csrf: session.csrfToken, refresh: !run.status.isTerminal, body))
    }
}
