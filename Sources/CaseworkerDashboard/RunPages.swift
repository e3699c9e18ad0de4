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
        pages.post("runs/{runId}/signal") { _, context in
            let (key, _) = try context.requiring(.write, on: .workflows)
            let id = try context.parameters.require("runId")
            guard let name = context.form.nonEmpty("signal") else { throw DashboardError.badRequest("Name the signal to send.") }
            let payload: JSONValue
            if let text = context.form.nonEmpty("payload") {
                guard let value = try? JSONText.decode(text) else { throw DashboardError.badRequest("The payload is not valid JSON.") }
                payload = value
            } else {
                var review: [String: JSONValue] = ["reviewer": .string(key.name)]
                if let decision = context.form.nonEmpty("decision") { review["decision"] = .string(decision) }
                if let comment = context.form.nonEmpty("comment") { review["comment"] = .string(comment) }
                payload = .object(review)
            }
            guard try await store.signalRun(tenantId: key.tenantId, id: id, name: name, payload: payload) != nil else {
                throw DashboardError.notFound("No run \(id).")
            }
            return Response(status: .seeOther, headers: [.location: "/ui/runs/\(id.queryEncoded)"])
        }
        pages.get("runs/bulk") { request, context in
            let (key, session) = try context.requiring(.write, on: .workflows)
            let (action, filter) = try Self.bulk(request.query)
            let matched = try await matching(filter, tenantId: key.tenantId)
            var hidden = ["action": action.rawValue, "status": filter.status?.rawValue ?? ""]
            for name in ["definition", "case", "correlation", "from", "to"] { if let value = request.query.nonEmpty(name) { hidden[name] = value } }
            let more: HTML = matched.hasMore ? " (the first \(Self.bulkLimit); run it again for the rest)" : ""
            let body: HTML = """
                <p>\(action == .retry ? "Retry" : "Cancel") \(matched.runs.count) \(filter.status?.rawValue ?? "") runs\(more)?</p>
                <form method="post" action="/ui/runs/bulk">\(Layout.csrfField(session.csrfToken))\(hidden.sorted { $0.key < $1.key }.map { HTML(#"<input type="hidden" name="\#($0.key)" value="\#($0.value)">"#) })
                <button type="submit">\(action == .retry ? "Retry" : "Cancel") them</button> <a href="/ui/runs">Back</a></form>
                """
            return Layout.response(Layout.page(title: "Confirm", key: key, csrf: session.csrfToken, body))
        }
        pages.post("runs/bulk") { _, context in
            let (key, session) = try context.requiring(.write, on: .workflows)
            let (action, filter) = try Self.bulk(context.form)
            let matched = try await matching(filter, tenantId: key.tenantId)
            var changed = 0, refused = 0
            for run in matched.runs {
                do {
                    switch action {
                    case .retry:
                        guard let step = run.error?.stepId ?? run.currentStepId else { refused += 1; continue }
                        _ = try await store.retryRun(tenantId: key.tenantId, id: run.id, fromStepId: step)
                    case .cancel:
                        _ = try await store.cancelRun(tenantId: key.tenantId, id: run.id)
                    }
                    changed += 1
                } catch StoreError.conflict {
                    refused += 1  // it moved on since it was listed
                }
            }
            let body: HTML = "<p>\(changed) runs \(action == .retry ? "retried" : "cancelled"), \(refused) no longer could be.</p><p><a href=\"/ui/runs\">Back to the runs</a></p>"
            return Layout.response(Layout.page(title: "Done", key: key, csrf: session.csrfToken, body))
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

    /// At most this many runs are changed by one bulk action; the page says when more matched.
    static let bulkLimit = 500

    enum BulkAction: String { case retry, cancel }

    /// The action and its filter: retry needs `FAILED` or `TIMED_OUT`, cancel an active status.
    static func bulk(_ fields: FormFields) throws(DashboardError) -> (BulkAction, RunFilter) {
        guard let action = fields.nonEmpty("action").flatMap(BulkAction.init) else { throw .badRequest("The action must be retry or cancel.") }
        guard let status = fields.nonEmpty("status").flatMap(RunStatus.init) else { throw .badRequest("Filter by a status first.") }
        switch (action, status) {
        case (.retry, .failed), (.retry, .timedOut), (.cancel, .pending), (.cancel, .running), (.cancel, .waiting): break
        default: throw .badRequest("Runs that are \(status.rawValue) cannot be \(action == .retry ? "retried" : "cancelled").")
        }
        var filter = RunFilter(status: status, caseId: fields.nonEmpty("case"), workflowDefinitionId: fields.nonEmpty("definition"))
        filter.correlationId = fields.nonEmpty("correlation")
        if let from = fields.nonEmpty("from") { filter.createdAfter = try FormFields.time(from, what: "the start of the time range") }
        if let to = fields.nonEmpty("to") { filter.createdBefore = try FormFields.time(to, what: "the end of the time range") }
        return (action, filter)
    }

    private func matching(_ filter: RunFilter, tenantId: String) async throws -> (runs: [Run], hasMore: Bool) {
        var runs: [Run] = []
        var before: String?
        while runs.count < Self.bulkLimit {
            let page = try await store.listRuns(tenantId: tenantId, filter: filter, page: PageRequest(limit: min(100, Self.bulkLimit - runs.count), beforeId: before))
            runs += page.items
            guard page.hasMore, let last = page.items.last else { return (runs, false) }
            before = last.id
        }
        return (runs, true)
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
        filter.correlationId = query.nonEmpty("correlation")
        if let from = query.nonEmpty("from") { filter.createdAfter = try FormFields.time(from, what: "the start of the time range") }
        if let to = query.nonEmpty("to") { filter.createdBefore = try FormFields.time(to, what: "the end of the time range") }
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
            for name in ["status", "definition", "case", "correlation", "from", "to"] { if let value = query.nonEmpty(name) { fields.append("\(name)=\(value.queryEncoded)") } }
            next = #"<p><a rel="next" href="/ui/runs?\#(fields.joined(separator: "&"))">Older runs</a></p>"#
        }
        var bulk: HTML = ""
        if key.grants(.write, on: .workflows), let status = filter.status, let action: BulkAction = status == .failed || status == .timedOut ? .retry : (status.isTerminal ? nil : .cancel) {
            var fields = ["action=\(action.rawValue)", "status=\(status.rawValue)"]
            for name in ["definition", "case", "correlation", "from", "to"] { if let value = query.nonEmpty(name) { fields.append("\(name)=\(value.queryEncoded)") } }
            bulk = #"<p><a href="/ui/runs/bulk?\#(fields.joined(separator: "&"))">\#(action == .retry ? "Retry" : "Cancel") every run of this filter…</a></p>"#
        }
        let body: HTML = """
            <form method="get" action="/ui/runs" class="filters" role="search">
            <label>Status <select name="status">\(options)</select></label>
            <label>Definition <input name="definition" value="\(filter.workflowDefinitionId)"></label>
            <label>Case <input name="case" value="\(filter.caseId)"></label>
            <label>Correlation id <input name="correlation" value="\(filter.correlationId)"></label>
            <label>Created from (UTC) <input type="datetime-local" name="from" value="\(query.nonEmpty("from"))"></label>
            <label>to <input type="datetime-local" name="to" value="\(query.nonEmpty("to"))"></label>
            <button type="submit">Filter</button></form>
            <table><thead><tr><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Definition</th><th scope="col">Case</th>
            <th scope="col">Created</th><th scope="col">Error</th></tr></thead><tbody>\(rows)</tbody></table>
            \(page.items.isEmpty ? HTML("<p>No runs match.</p>") : "")\(next)\(bulk)
            """
        return Layout.response(Layout.page(title: "Runs", key: key, csrf: session.csrfToken, body))
    }

    @Sendable func run(_ request: Request, context: DashboardContext) async throws -> Response {
        let (key, session) = try context.requiring(.read, on: .workflows)
        let id = try context.parameters.require("runId")
        guard
            let timeline = try await store.runTimeline(
                tenantId: key.tenantId, runId: id, afterId: request.query.nonEmpty("after"), limit: Self.timelinePageSize)
        else { throw DashboardError.notFound("No run \(id).") }
        let run = timeline.run
        let rows = timeline.tasks.map { task -> HTML in
            """
            <tr><td>\(task.stepId)\(task.name.map { HTML(" <span class=\"hint\">\(HTML.escape($0))</span>") } ?? "")</td>
            <td>\(task.action)</td><td>\(task.attempt)</td><td>\(task.outcome.description)</td>
            <td>\(Layout.timestamp(task.startedAt))</td><td>\(Layout.timestamp(task.finishedAt))</td>
            <td><details><summary>Parameters and output</summary>\(Layout.json(task.parameters))\(Layout.json(task.output))\
            \(task.error.map { HTML(#"<p class="error">\#(HTML.escape($0))</p>"#) } ?? "")</details></td></tr>
            """
        }
        var next: HTML = ""
        if timeline.hasMore, let last = timeline.tasks.last {
            next = #"<p><a rel="next" href="/ui/runs/\#(run.id.queryEncoded)?after=\#(last.id.queryEncoded)">Later tasks</a></p>"#
        }
        var actions: [HTML] = []
        if key.grants(.write, on: .workflows) {
            if !run.status.isTerminal { actions.append(Layout.actionButton("Cancel run", action: "/ui/runs/\(run.id.queryEncoded)/cancel", csrf: session.csrfToken)) }
            if run.status == .failed || run.status == .timedOut {
                actions.append(Layout.actionButton("Retry run", action: "/ui/runs/\(run.id.queryEncoded)/retry", csrf: session.csrfToken))
            }
        }
        if key.grants(.write, on: .workflows), run.status == .waiting, let signal = run.wait?.signal {
            actions.append(
                """
                <form method="post" action="/ui/runs/\(run.id.queryEncoded)/signal">\(Layout.csrfField(session.csrfToken))
                <input type="hidden" name="signal" value="\(signal)"><fieldset><legend>Review: the run awaits the signal \(signal)</legend>
                <p><label><input type="radio" name="decision" value="approve" required> Approve</label>
                <label><input type="radio" name="decision" value="reject"> Reject</label></p>
                <p><label for="comment">Comment</label><textarea id="comment" name="comment" rows="3"></textarea></p>
                <button type="submit">Send decision</button></fieldset></form>
                <form method="post" action="/ui/runs/\(run.id.queryEncoded)/signal">\(Layout.csrfField(session.csrfToken))
                <fieldset><legend>Or send any signal with a JSON payload</legend>
                <p><label for="signal-name">Signal</label> <input id="signal-name" name="signal" value="\(signal)" required></p>
                <p><label for="payload">Payload (JSON)</label><textarea id="payload" name="payload" rows="4" required>{}</textarea></p>
                <button type="submit">Send signal</button></fieldset></form>
                """)
        }
        var graph: HTML = ""
        if let content = try await store.definitionContent(versionId: run.versionId), let definition = try? WorkflowDefinition(loading: content) {
            graph = "<h2>Steps</h2>\(DefinitionGraphSVG.draw(definition, taken: timeline.stepsTaken, current: run.status.isTerminal ? nil : run.currentStepId))"
        }
        var family: HTML = run.parentRunId.map { #"<dt>Parent run</dt><dd><a href="/ui/runs/\#($0.queryEncoded)">\#($0)</a></dd>"# } ?? ""
        if let branch = run.branch { family = "\(family)<dt>Branch</dt><dd>\(branch.branchId) of step \(branch.stepId)</dd>" }
        let branches = try await store.branchRuns(tenantId: key.tenantId, parentRunId: run.id, group: nil)
        let groups = Set(branches.compactMap { $0.branch?.group })
        let children = timeline.tasks.compactMap(\.childRunId).filter { !groups.contains($0) }
            .map { HTML(#"<a href="/ui/runs/\#($0.queryEncoded)">\#($0)</a> "#) }
        if !children.isEmpty { family = "\(family)<dt>Child runs (this page)</dt><dd>\(children)</dd>" }
        if let failed = run.failureOfRunId { family = "\(family)<dt>Failure workflow of</dt><dd><a href=\"/ui/runs/\(failed.queryEncoded)\">\(failed)</a></dd>" }
        let error: HTML = run.error.map { #"<p class="error" role="alert">\#($0.code): \#($0.message)</p>"# } ?? ""
        let body: HTML = """
            <dl class="fields"><dt>Status</dt><dd>\(Layout.status(run.status))</dd>
            <dt>Definition</dt><dd><a href="/ui/definitions/\(run.workflowDefinitionId.queryEncoded)?version=\(run.version)">\(run.workflowDefinitionId) version \(run.version)</a></dd>
            <dt>Case</dt><dd><a href="/ui/cases/\(run.caseId.queryEncoded)">\(run.caseId)</a></dd><dt>Current step</dt><dd>\(run.currentStepId ?? "—")</dd>
            <dt>Correlation id</dt><dd>\(run.correlationId ?? "—")</dd>\(family)
            <dt>Created</dt><dd>\(Layout.timestamp(run.createdAt))</dd><dt>Finished</dt><dd>\(Layout.timestamp(run.finishedAt))</dd></dl>
            \(error)<div class="actions">\(actions)</div>\(graph)\(Self.branchTable(branches))
            <h2>Timeline</h2><p class="hint">\(timeline.totalTasks) tasks.</p>
            <table><thead><tr><th scope="col">Step</th><th scope="col">Action</th><th scope="col">Attempt</th><th scope="col">Outcome</th>
            <th scope="col">Started</th><th scope="col">Finished</th><th scope="col">Details</th></tr></thead><tbody>\(rows)</tbody></table>\(next)
            <h2>Result</h2>\(run.result.map(Layout.json) ?? "<p>None yet.</p>")
            """
        return Layout.response(Layout.page(title: "Run \(run.id)", key: key, csrf: session.csrfToken, refresh: !run.status.isTerminal, body))
    }

    /// The branch runs of the run's `parallel` steps, each linked to its own page.
    static func branchTable(_ branches: [Run]) -> HTML {
        guard !branches.isEmpty else { return "" }
        let rows = branches.map { branch -> HTML in
            """
            <tr><td>\(branch.branch?.stepId ?? "")</td><td>\(branch.branch?.branchId ?? "")</td><td>\(Layout.status(branch.status))</td>
            <td><a href="/ui/runs/\(branch.id.queryEncoded)">\(branch.id)</a></td></tr>
            """
        }
        return """
            <h2>Parallel branches</h2><table><thead><tr><th scope="col">Step</th><th scope="col">Branch</th><th scope="col">Status</th>
            <th scope="col">Branch run</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }
}
