import CaseworkerCore
import CaseworkerStore
import Hummingbird

/// `/v1/webhook-deliveries` (SPEC 3): the attempt log and redelivery.
struct WebhookDeliveryRoutes {
    let store: any DeliveryStore

    func register(on v1: ResourceGroups) {
        let deliveries = v1.group("webhook-deliveries", scope: .webhooks)
        deliveries.get(use: list)
        deliveries.get("{id}", use: get)
        deliveries.post("{id}/redeliver", use: redeliver)
        deliveries.answerMethodNotAllowed()
    }

    /// `GET /v1/webhook-deliveries?endpointId=&status=&eventType=&limit=&cursor=`, newest first.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let page = try Pagination.pageRequest(from: request)
        let query = request.uri.queryParameters
        var filter = DeliveryFilter(endpointId: query["endpointId"].map(String.init))
        if let text = query["status"].map(String.init) {
            guard let status = DeliveryStatus(rawValue: text) else {
                throw Problem.badRequest("status must be one of \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.status = status
        }
        if let text = query["eventType"].map(String.init) {
            guard let type = WebhookEventType(rawValue: text) else {
                throw Problem.badRequest("eventType must be \(WebhookEventType.expectation)")
            }
            filter.eventType = type
        }
        let result = try await store.listDeliveries(tenantId: try context.tenantId(), filter: filter, page: page)
        return Pagination.response(result, id: \.id, representation: \.representation)
    }

    /// `GET /v1/webhook-deliveries/{id}`: the delivery, its payload and every attempt.
    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let found = try await store.findDelivery(tenantId: try context.tenantId(), id: id) else {
            throw Problem.notFound("no webhook delivery with id \(id)")
        }
        return .json(found.representation)
    }

    /// `POST /v1/webhook-deliveries/{id}/redeliver` → 202 with the new delivery of the same event
    /// (same `webhook-id`), due now. 409 when the endpoint is disabled or the event is already on
    /// its way to it.
    @Sendable func redeliver(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let created = try await store.redeliver(tenantId: try context.tenantId(), id: id) else {
            throw Problem.notFound("no webhook delivery with id \(id)")
        }
        context.logger.info("webhook redelivery", metadata: ["delivery_id": .string(id), "new_delivery_id": .string(created.id)])
        return .json(created.representation, status: .accepted, headers: [.location: "/v1/webhook-deliveries/\(created.id)"])
    }
}
