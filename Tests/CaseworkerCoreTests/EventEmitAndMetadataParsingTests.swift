import CaseworkerCore
import Testing

/// `event.emit` configs and `metadata` at save time (SPEC 2.4, 2.5).
@Suite struct EventEmitAndMetadataParsingTests {
    static func emitting(_ type: String) -> String {
        #"{"name": "n", "steps": [{"id": "a", "action": "event.emit", "config": {"type": "\#(type)", "data": {"x": 1}}}]}"#
    }

    @Test func customTypesAreAcceptedAndTheWorkflowNamespaceRefused() throws {
        _ = try definition(Self.emitting("kyc.document_requested"))
        _ = try definition(Self.emitting("a-b_c.9"))
        _ = try definition(Self.emitting("${input.kind}"))
        for bad in ["workflow.completed", "Kyc", "9lives", "a b", "kyc:requested", String(repeating: "a", count: 129)] {
            let found = try problems(Self.emitting(bad))
            #expect(found.map(\.property) == ["/steps/0/config/type"], "\(bad)")
        }
        #expect(try problems(Self.emitting("workflow.custom")).first?.message.contains("workflow. namespace") == true)
        let missing = try problems(#"{"name": "n", "steps": [{"id": "a", "action": "event.emit", "config": {"data": 1}}]}"#)
        #expect(missing.map(\.property) == ["/steps/0/config/type"])
        let extra = try problems(#"{"name": "n", "steps": [{"id": "a", "action": "event.emit", "config": {"type": "a", "to": "b"}}]}"#)
        #expect(extra.map(\.property) == ["/steps/0/config/to"])
    }

    @Test func metadataIsKeptHashedAndBounded() throws {
        let plain = try definition(#"{"name": "n", "steps": [{"id": "a", "action": "complete"}]}"#)
        let tagged = try definition(
            #"{"name": "n", "metadata": {"invopop": {"country": "ES"}}, "steps": [{"id": "a", "action": "complete"}]}"#)
        #expect(tagged.document["metadata"] == ["invopop": ["country": "ES"]])
        #expect(tagged.hash != plain.hash, "metadata is part of the content")
        #expect(try problems(#"{"name": "n", "metadata": [1], "steps": [{"id": "a", "action": "complete"}]}"#).map(\.property) == ["/metadata"])
        let big = String(repeating: "x", count: 16 * 1024)
        let found = try problems(#"{"name": "n", "metadata": {"blob": "\#(big)"}, "steps": [{"id": "a", "action": "complete"}]}"#)
        #expect(found.map(\.property) == ["/metadata"])
        #expect(found.first?.message.contains("16 KiB") == true)
    }

    @Test func eventTypesAreBuiltInOrCustom() {
        #expect(WebhookEventType(rawValue: "workflow.completed") == .completed)
        #expect(WebhookEventType(rawValue: "workflow.unknown") == nil)
        #expect(WebhookEventType(rawValue: "kyc.review_needed")?.isBuiltIn == false)
        #expect(WebhookEventType(rawValue: "") == nil)
        #expect(WebhookEventType.builtIn.count == 6)
    }
}
