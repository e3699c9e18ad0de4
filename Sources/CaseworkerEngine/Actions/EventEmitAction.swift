import CaseworkerCore

/// `event.emit` — config `{type, data?}` publishes a custom event through the webhook outbox, to
/// the endpoints subscribed to `type` (SPEC 2.5). `type` must be a custom type
/// (`WebhookEventType.isCustomName`), else `KO` `invalid_event_type`; `data` (default `null`) is
/// at most `EmittedEvent.maxPayloadBytes` of compact JSON, else `KO` `event_too_large`.
///
/// No side effect outside the run's rows: the event is written in the transaction that records
/// the step, so a step that ran but did not commit published nothing, and running it again
/// publishes it once.
struct EventEmitAction: Action {
    var hasSideEffects: Bool { false }

    func execute(_ input: ActionInput) async throws -> ActionResult {
        guard let name = input.config["type"]?.stringValue, let type = WebhookEventType(rawValue: name), !type.isBuiltIn else {
            let given = input.config["type"].map { $0.stringValue ?? JSONText.encode($0) } ?? "nothing"
            return .ko(
                "invalid_event_type",
                "event.emit: type must match [a-z][a-z0-9_.-]* (at most \(WebhookEventType.maxCustomLength) characters) outside the workflow. namespace; got \(given.prefix(200))")
        }
        let data = input.config["data"] ?? .null
        let size = JSONText.encode(data).utf8.count
        guard size <= EmittedEvent.maxPayloadBytes else {
            return .ko(
                "event_too_large",
                "event.emit: data is \(ValueLimits.bytesText(size)), more than the \(ValueLimits.bytesText(EmittedEvent.maxPayloadBytes)) an event may carry")
        }
        return .publish(type: type, data: data)
    }
}
