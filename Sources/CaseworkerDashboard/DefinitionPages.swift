import CaseworkerCore
import CaseworkerStore
import Foundation
import Hummingbird

/// `/ui/definitions`, `/ui/definitions/{id}` (versions, a version's content, disable/enable)
/// and `/ui/definitions/{id}/diff?from=&to=` (the line difference of two versions' content).
struct DefinitionPages {
    let store: any Store

    func register(on pages: RouterGroup<DashboardContext>) {
        pages.get("definitions") { request, context in
            let (key, session) = try context.requiring(.read, on: .definitions)
            let page = try await store.listDefinitions(
                tenantId: key.tenantId, tag: nil, page: PageRequest(limit: RunPages.pageSize, beforeId: request.query.nonEmpty("before")))
            let rows = page.items.map { d -> HTML in
                """
                <tr><td><a href="/ui/definitions/\(d.definitionId.queryEncoded)">\(d.definitionId)</a></td>
                <td>\(d.content["name"]?.stringValue)</td><td>\(d.versions.last.map(String.init) ?? "draft only")</td>
                <td>\(d.disabled ? "disabled" : "enabled")</td><td>\(Layout.timestamp(d.updatedAt))</td></tr>
                """
            }
            let next: HTML =
                page.hasMore ? page.items.last.map { #"<p><a rel="next" href="/ui/definitions?before=\#($0.definitionId.queryEncoded)">More</a></p>"# } ?? "" : ""
            let body: HTML = """
                <table><thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Latest version</th>
                <th scope="col">State</th><th scope="col">Updated</th></tr></thead><tbody>\(rows)</tbody></table>\(next)
                """
            return Layout.response(Layout.page(title: "Workflow definitions", key: key, csrf: session.csrfToken, body))
        }
        pages.get("definitions/{id}", use: show)
        pages.get("definitions/{id}/diff", use: diff)
        for (path, disabled) in [("disable", true), ("enable", false)] {
            pages.post("definitions/{id}/\(path)") { _, context in
                let (key, _) = try context.requiring(.write, on: .definitions)
                let id = try context.parameters.require("id")
                guard try await store.setDisabled(tenantId: key.tenantId, id: id, disabled: disabled, actor: "ui:\(key.id)") != nil else {
                    throw DashboardError.notFound("No definition \(id).")
                }
                return Response(status: .seeOther, headers: [.location: "/ui/definitions/\(id.queryEncoded)"])
            }
        }
    }

    private func version(_ id: String, _ text: String?, tenantId: String) async throws -> DefinitionVersion {
        let selector: VersionSelector
        switch text {
        case nil: selector = .current
        case "draft"?: selector = .draft
        case let number? where Int(number).map({ $0 >= 1 }) == true: selector = .number(Int(number)!)
        case let other?: throw DashboardError.badRequest("version must be a number or draft, got \(other).")
        }
        guard let found = try await store.findDefinition(tenantId: tenantId, id: id, selector: selector) else {
            throw DashboardError.notFound("No definition \(id) at version \(text ?? "latest").")
        }
        return found
    }

    @Sendable func show(_ request: Request, context: DashboardContext) async throws -> Response {
        let (key, session) = try context.requiring(.read, on: .definitions)
        let id = try context.parameters.require("id")
        let shown = try await version(id, request.query.nonEmpty("version"), tenantId: key.tenantId)
        let versions = shown.versions.reversed().map { number -> HTML in
            let compare: HTML = number > 1 ? #" · <a href="/ui/definitions/\#(id.queryEncoded)/diff?from=\#(number - 1)&amp;to=\#(number)">changes from \#(number - 1)</a>"# : ""
            return #"<li><a href="/ui/definitions/\#(id.queryEncoded)?version=\#(number)">Version \#(number)</a>\#(compare)</li>"#
        }
        let draft: HTML = shown.hasDraft ? #"<li><a href="/ui/definitions/\#(id.queryEncoded)?version=draft">Draft</a></li>"# : ""
        var actions: HTML = ""
        if key.grants(.write, on: .definitions) {
            actions = shown.disabled
                ? Layout.actionButton("Enable", action: "/ui/definitions/\(id.queryEncoded)/enable", csrf: session.csrfToken)
                : Layout.actionButton("Disable", action: "/ui/definitions/\(id.queryEncoded)/disable", csrf: session.csrfToken)
        }
        let body: HTML = """
            <p>\(shown.disabled ? "Disabled: new runs are refused." : "Enabled.") \(actions)</p>
            <h2>Versions</h2><ul>\(draft)\(versions)</ul>
            <h2>\(shown.version < 0 ? "Draft" : "Version \(shown.version)")</h2>
            <p class="hint">Saved \(Layout.timestamp(shown.updatedAt)) by \(shown.updatedBy). Hash \(shown.hash).</p>
            \(Layout.json(shown.content))
            """
        return Layout.response(Layout.page(title: "Definition \(id)", key: key, csrf: session.csrfToken, body))
    }

    @Sendable func diff(_ request: Request, context: DashboardContext) async throws -> Response {
        let (key, session) = try context.requiring(.read, on: .definitions)
        let id = try context.parameters.require("id")
        let query = request.query
        let from = try await version(id, query.nonEmpty("from"), tenantId: key.tenantId)
        let to = try await version(id, query.nonEmpty("to"), tenantId: key.tenantId)
        let lines = LineDiff.lines(from: Layout.prettyJSON(from.content), to: Layout.prettyJSON(to.content)).map { line -> HTML in
            switch line {
            case .same(let text): HTML(#"<span class="same">  \#(text)</span>"#)
            case .removed(let text): HTML(#"<del>- \#(text)</del>"#)
            case .added(let text): HTML(#"<ins>+ \#(text)</ins>"#)
            }
        }
        let body: HTML = """
            <p>From version \(from.version) to version \(to.version): removed lines start with -, added lines with +.</p>
            <pre class="diff">\(lines)</pre>
            """
        return Layout.response(Layout.page(title: "Changes to \(id)", key: key, csrf: session.csrfToken, body))
    }
}

/// The line difference of two texts, by the standard library's `difference(from:)`.
enum LineDiff {
    enum Line: Equatable { case same(String), removed(String), added(String) }

    static func lines(from old: String, to new: String) -> [Line] {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let difference = b.difference(from: a)
        var removed = Set<Int>(), inserted = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        var result: [Line] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, removed.contains(i) { result.append(.removed(a[i])); i += 1 }
            else if j < b.count, inserted.contains(j) { result.append(.added(b[j])); j += 1 }
            else if i < a.count, j < b.count { result.append(.same(a[i])); i += 1; j += 1 }
            else if i < a.count { result.append(.removed(a[i])); i += 1 }
            else { result.append(.added(b[j])); j += 1 }
        }
        return result
    }
}
