import CaseworkerCore
import CaseworkerStore
import Foundation
import Hummingbird

/// `/ui`: runs per status in the last hour and day (a table, and the day as an inline SVG bar
/// chart per hour), runs in flight, the delivery backlog and its oldest delivery, failing
/// endpoints. Each part needs the read scope of what it counts.
struct OverviewPage {
    let store: any Store
    let now: @Sendable () -> Date

    func register(on pages: RouterGroup<DashboardContext>) {
        pages.get { _, context in
            let (key, session) = try context.signedIn()
            let time = now()
            var parts: [HTML] = []
            if key.grants(.read, on: .workflows) {
                let day = try await store.runActivity(tenantId: key.tenantId, since: time.addingTimeInterval(-86_400), bucketSeconds: 3600)
                let hourStart = time.addingTimeInterval(-3600)
                func count(_ status: RunStatus, _ items: [RunActivity]) -> Int { items.filter { $0.status == status }.reduce(0) { $0 + $1.count } }
                let lastHour = day.filter { $0.start.addingTimeInterval(3600) > hourStart }
                let rows = RunStatus.allCases.map { status -> HTML in
                    """
                    <tr><th scope="row"><a href="/ui/runs?status=\(status.rawValue)">\(status.rawValue)</a></th>\
                    <td>\(count(status, lastHour))</td><td>\(count(status, day))</td></tr>
                    """
                }
                let inFlight = try await store.activeRunCount(tenantId: key.tenantId)
                parts.append(
                    """
                    <h2>Runs</h2><p><strong>\(inFlight)</strong> runs in flight.</p>
                    <table><thead><tr><th scope="col">Status</th><th scope="col">Last hour</th><th scope="col">Last 24 hours</th></tr></thead>
                    <tbody>\(rows)</tbody></table>
                    \(Self.chart(day, now: time))
                    """)
            }
            if key.grants(.read, on: .webhooks) {
                let backlog = try await store.deliveryBacklog(tenantId: key.tenantId)
                let endpoints = try await store.listEndpoints(tenantId: key.tenantId, page: PageRequest(limit: 100)).items
                let failing = endpoints.filter { $0.failingSince != nil || !$0.fields.enabled }.map { endpoint -> HTML in
                    let state = endpoint.fields.enabled ? "failing since \(Layout.timestamp(endpoint.failingSince))" : "disabled\(endpoint.disabledReason.map { ": \($0)" } ?? "")"
                    return "<li>\(endpoint.fields.url) — \(state)</li>"
                }
                parts.append(
                    """
                    <h2>Webhooks</h2><p><strong>\(backlog.pending)</strong> deliveries pending; the oldest since \(Layout.timestamp(backlog.oldestCreatedAt)).</p>
                    \(failing.isEmpty ? HTML("<p>No endpoint is failing.</p>") : "<h3>Failing endpoints</h3><ul>\(failing)</ul>")
                    <p><a href="/ui/webhooks">All endpoints</a></p>
                    """)
            }
            return Layout.response(Layout.page(title: "Overview", key: key, csrf: session.csrfToken, "\(parts)"))
        }
    }

    /// The last 24 hours, one stacked bar per hour: completed, failed or timed out, the rest.
    static func chart(_ activity: [RunActivity], now: Date) -> HTML {
        let hour = 3600.0
        let first = (now.timeIntervalSince1970 / hour).rounded(.down) * hour - 23 * hour
        var bars: [(completed: Int, failed: Int, other: Int)] = Array(repeating: (0, 0, 0), count: 24)
        for item in activity {
            let index = Int(((item.start.timeIntervalSince1970 - first) / hour).rounded(.down))
            guard bars.indices.contains(index) else { continue }
            switch item.status {
            case .completed: bars[index].completed += item.count
            case .failed, .timedOut: bars[index].failed += item.count
            default: bars[index].other += item.count
            }
        }
        let peak = max(1, bars.map { $0.completed + $0.failed + $0.other }.max() ?? 1)
        let height = 120, width = 20
        var shapes: [HTML] = []
        for (i, bar) in bars.enumerated() {
            var y = height
            for (cls, value) in [("completed", bar.completed), ("failed", bar.failed), ("other", bar.other)] where value > 0 {
                let h = max(1, value * height / peak)
                y -= h
                shapes.append(#"<rect class="\#(cls)" x="\#(30 + i * (width + 4))" y="\#(y + 10)" width="\#(width)" height="\#(h)"><title>\#(value) \#(cls)</title></rect>"#)
            }
        }
        return """
            <svg class="bars" role="img" aria-label="Runs created per hour over the last 24 hours: completed, failed or timed out, and the rest; the table above gives the numbers" \
            width="\(30 + 24 * (width + 4))" height="\(height + 30)" xmlns="http://www.w3.org/2000/svg">\
            <text x="0" y="20">\(peak)</text><text x="0" y="\(height + 10)">0</text><text x="30" y="\(height + 26)">24 h ago</text>\
            <text x="\(24 * (width + 4) - 20)" y="\(height + 26)">now</text>\(shapes)</svg>
            """
    }
}
