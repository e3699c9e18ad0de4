import ArgumentParser
import CaseworkerCore
import CaseworkerServer
import CaseworkerStore
import Foundation

struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List webhook deliveries and send them again.", subcommands: [List.self, Redeliver.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List webhook deliveries, newest first (every tenant's unless --tenant).")

        @OptionGroup var instance: InstanceOptions

        @Option(help: "Only this tenant's deliveries.")
        var tenant: String?

        @Option(help: "Only deliveries with this status: \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
        var status: String?

        @Option(help: "Only deliveries to this endpoint id.")
        var endpoint: String?

        @Option(help: "At most this many (1–500).")
        var limit = 50

        func validate() throws {
            if let status, DeliveryStatus(rawValue: status.uppercased()) == nil {
                throw ValidationError("--status must be one of \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard (1...500).contains(limit) else { throw ValidationError("--limit must be from 1 to 500") }
        }

        func run() async throws {
            let filter = DeliveryFilter(endpointId: endpoint, status: status.flatMap { DeliveryStatus(rawValue: $0.uppercased()) })
            let (tenant, limit) = (self.tenant, self.limit)
            let page = try await instance.withMigratedStore { store in
                try await store.listDeliveries(tenantId: tenant, filter: filter, page: PageRequest(limit: limit))
            }
            let rows = page.items.map { delivery in
                [
                    delivery.id, delivery.tenantId, delivery.eventId, delivery.eventType.rawValue, delivery.endpointId,
                    delivery.status.rawValue, String(delivery.attemptCount), delivery.nextAttemptAt.map(Timestamp.rfc3339) ?? "-",
                    delivery.lastError.map { String($0.prefix(60)) } ?? "-",
                ]
            }
            print(Table.render(header: ["ID", "TENANT", "EVENT", "TYPE", "ENDPOINT", "STATUS", "ATTEMPTS", "NEXT", "LAST ERROR"], rows: rows))
            if page.hasMore { Console.error("(more than \(limit); narrow with --status, --endpoint or --tenant, or raise --limit)") }
        }
    }

    struct Redeliver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send webhook deliveries again, with the same webhook-id.",
            discussion: """
                Either one delivery by id (whatever its status, unless the event is already on its way), or, \
                with --endpoint and --since, every event since then whose latest delivery to that endpoint \
                FAILED. The endpoint must be enabled. A running daemon sends them within a second.
                """)

        @OptionGroup var instance: InstanceOptions

        @Argument(help: "The delivery's id (see deliveries list).")
        var id: String?

        @Option(help: "Redeliver the failed deliveries of this endpoint (with --since).")
        var endpoint: String?

        @Option(help: "With --endpoint: events since this RFC 3339 time, or this long ago (e.g. 2h, 3d).")
        var since: String?

        @Option(help: "Only within this tenant.")
        var tenant: String?

        func validate() throws {
            switch (id, endpoint, since) {
            case (_?, nil, nil): break
            case (nil, _?, let since?):
                guard Self.moment(since, now: Date()) != nil else {
                    throw ValidationError("--since must be an RFC 3339 time (2026-11-22T10:00:00Z) or a duration (2h, 3d)")
                }
            default: throw ValidationError("give either a delivery ID, or --endpoint E with --since T")
            }
        }

        static func moment(_ text: String, now: Date) -> Date? {
            if let date = Timestamp.parse(text) { return date }
            return DurationText.parse(text).map { now.addingTimeInterval(-Double($0.components.seconds)) }
        }

        func run() async throws {
            let (id, endpoint, since, tenant) = (self.id, self.endpoint, self.since, self.tenant)
            try await instance.withMigratedStore { store in try await Self.redeliver(store, id: id, endpoint: endpoint, since: since, tenant: tenant) }
        }

        /// One delivery again (`id`), or the failed ones of `endpoint` since `since`.
        static func redeliver(_ store: any Store, id: String?, endpoint: String?, since: String?, tenant: String?) async throws {
            do {
                if let id {
                    guard let created = try await store.redeliver(tenantId: tenant, id: id) else {
                        Console.error("no webhook delivery with id \(id)")
                        throw ExitCode.failure
                    }
                    print("redelivering event \(created.eventId) to endpoint \(created.endpointId) as delivery \(created.id)")
                } else if let endpoint, let since, let moment = Self.moment(since, now: Date()) {
                    guard let created = try await store.redeliver(tenantId: tenant, endpointId: endpoint, since: moment) else {
                        Console.error("no webhook endpoint with id \(endpoint)")
                        throw ExitCode.failure
                    }
                    for delivery in created { print("redelivering event \(delivery.eventId) as delivery \(delivery.id)") }
                    print("\(created.count) deliver\(created.count == 1 ? "y" : "ies") queued for endpoint \(endpoint) (events since \(Timestamp.rfc3339(moment)))")
                }
            } catch let StoreError.conflict(reason) {
                Console.error(reason)
                throw ExitCode.failure
            }
        }
    }
}
