import CaseworkerCore
import CaseworkerStore
import Foundation
import Hummingbird

/// `/ui/webhooks` (endpoints with their recent deliveries), `/ui/deliveries/{deliveryId}` (the
/// attempt log, redeliver) and the bulk redelivery of an endpoint's `FAILED` deliveries since a
/// time, after a confirmation page. Reading needs `webhooks:read`, redelivering `webhooks:write`.
struct WebhookPages {
    static let recentDeliveries = 10

    let store: any Store

    func register(on pages: RouterGroup<DashboardContext>) {
        pages.get("webhooks", use: endpoints)
        pages.get("deliveries/{deliveryId}", use: delivery)
        pages.post("deliveries/{deliveryId}/redeliver") { _, context in
            let (key, _) = try context.requiring(.write, on: .webhooks)
            let id = try context.parameters.require("deliveryId")
            guard let created = try await store.redeliver(tenantId: key.tenantId, id: id) else { throw DashboardError.notFound("No delivery \(id).") }
            return Response(status: .seeOther, headers: [.location: "/ui/deliveries/\(created.id.queryEncoded)"])
        }
        pages.get("webhooks/{endpointId}/redeliver") { request, context in
            let (key, session) = try context.requiring(.write, on: .webhooks)
            let endpoint = try await findEndpoint(context, tenantId: key.tenantId)
            let since = try FormFields.time(request.query.nonEmpty("since"), what: "the time to redeliver from")
            let body: HTML = """
                <p>Every event of \(Timestamp.rfc3339(since)) or later whose latest delivery to \(endpoint.fields.url) failed is sent again.</p>
                <form method="post" action="/ui/webhooks/\(endpoint.id.queryEncoded)/redeliver">\(Layout.csrfField(session.csrfToken))
                <input type="hidden" name="since" value="\(Timestamp.rfc3339(since))">
                <button type="submit">Redeliver failed deliveries</button> <a href="/ui/webhooks">Cancel</a></form>
                """
            return Layout.response(Layout.page(title: "Redeliver to \(endpoint.id)?", key: key, csrf: session.csrfToken, body))
        }
        pages.post("webhooks/{endpointId}/redeliver") { _, context in
            let (key, session) = try context.requiring(.write, on: .webhooks)
            let id = try context.parameters.require("endpointId")
            let since = try FormFields.time(context.form.nonEmpty("since"), what: "the time to redeliver from")
            guard let created = try await store.redeliver(tenantId: key.tenantId, endpointId: id, since: since) else {
                throw DashboardError.notFound("No webhook endpoint \(id).")
            }
            let body: HTML = "<p>\(created.count) deliveries queued again.</p><p><a href=\"/ui/webhooks\">Back to the webhooks</a></p>"
            return Layout.response(Layout.page(title: "Redelivered", key: key, csrf: session.csrfToken, body))
        }
    }

    private func findEndpoint(_ context: DashboardContext, tenantId: String) async throws -> WebhookEndpoint {
        let id = try context.parameters.require("endpointId")
        guard let endpoint = try await store.findEndpoint(tenantId: tenantId, id: id) else { throw DashboardError.notFound("No webhook endpoint \(id).") }
        return endpoint
    }

    static func deliveryRow(_ d: WebhookDelivery) -> HTML {
        """
        <tr><td><a href="/ui/deliveries/\(d.id.queryEncoded)">\(d.id)</a></td><td>\(d.eventType.rawValue)</td><td>\(d.status.rawValue)</td>
        <td>\(d.attemptCount)</td><td>\(Layout.timestamp(d.createdAt))</td><td>\(d.lastError)</td></tr>
        """
    }

    static let deliveryHead: HTML = """
        <thead><tr><th scope="col">Delivery</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th>
        <th scope="col">Created</th><th scope="col">Last error</th></tr></thead>
        """

    @Sendable func endpoints(_ request: Request, context: DashboardContext) async throws -> Response {
        let (key, session) = try context.requiring(.read, on: .webhooks)
        let page = try await store.listEndpoints(tenantId: key.tenantId, page: PageRequest(limit: RunPages.pageSize, beforeId: request.query.nonEmpty("before")))
        var sections: [HTML] = []
        for endpoint in page.items {
            let recent = try await store.listDeliveries(
                tenantId: key.tenantId, filter: DeliveryFilter(endpointId: endpoint.id), page: PageRequest(limit: Self.recentDeliveries))
            let state: String =
                endpoint.disabledReason.map { "disabled: \($0)" } ?? (endpoint.fields.enabled ? (endpoint.failingSince.map { "failing since \(Timestamp.rfc3339($0))" } ?? "healthy") : "disabled")
            let bulk: HTML =
                key.grants(.write, on: .webhooks)
                ? """
                <form method="get" action="/ui/webhooks/\(endpoint.id.queryEncoded)/redeliver" class="filters">
                <label>Failed since (UTC) <input type="datetime-local" name="since" required></label>
                <button type="submit">Redeliver failed…</button></form>
                """ : ""
            sections.append(
                """
                <section aria-labelledby="ep-\(endpoint.id)"><h2 id="ep-\(endpoint.id)">\(endpoint.fields.url)</h2>
                <p>\(endpoint.id) · \(state) · events \(endpoint.fields.events.map(\.rawValue).joined(separator: ", "))</p>\(bulk)
                <table>\(Self.deliveryHead)<tbody>\(recent.items.map(Self.deliveryRow))</tbody></table></section>
                """)
        }
        let body: HTML = page.items.isEmpty ? "<p>No webhook endpoints.</p>" : "\(sections)"
        return Layout.response(Layout.page(title: "Webhooks", key: key, csrf: session.csrfToken, body))
    }

    @Sendable func delivery(_ request: Request, context: DashboardContext) async throws -> Response {
        let (key, session) = try context.requiring(.read, on: .webhooks)
        let id = try context.parameters.require("deliveryId")
        guard let detail = try await store.findDelivery(tenantId: key.tenantId, id: id) else { throw DashboardError.notFound("No delivery \(id).") }
        let d = detail.delivery
        let attempts = detail.attempts.map { a -> HTML in
            """
            <tr><td>\(a.attempt)</td><td>\(Layout.timestamp(a.at))</td><td>\(a.responseStatus.map(String.init) ?? "—")</td>
            <td>\(a.durationMs) ms</td><td><pre class="json">\(a.responseBody ?? "")</pre></td><td>\(a.error)</td></tr>
            """
        }
        let redeliver: HTML =
            key.grants(.write, on: .webhooks)
            ? Layout.actionButton("Redeliver", action: "/ui/deliveries/\(d.id.queryEncoded)/redeliver", csrf: session.csrfToken) : ""
        let body: HTML = """
            <dl class="fields"><dt>Status</dt><dd>\(d.status.rawValue)</dd><dt>Event</dt><dd>\(d.eventType.rawValue) \(d.eventId)</dd>
            <dt>Endpoint</dt><dd>\(d.endpointId)</dd><dt>Next attempt</dt><dd>\(Layout.timestamp(d.nextAttemptAt))</dd></dl>
            <p>\(redeliver)</p>
            <h2>Attempts</h2><table><thead><tr><th scope="col">Attempt</th><th scope="col">At</th><th scope="col">Status</th>
            <th scope="col">Duration</th><th scope="col">Response body</th><th scope="col">Error</th></tr></thead><tbody>\(attempts)</tbody></table>
            \(detail.attempts.isEmpty ? HTML("<p>No attempt yet.</p>") : "")
            <h2>Body</h2><pre class="json">\(detail.body)</pre>
            """
        return Layout.response(Layout.page(title: "Delivery \(d.id)", key: key, csrf: session.csrfToken, refresh: d.status == .pending || d.status == .delivering, body))
    }
}
