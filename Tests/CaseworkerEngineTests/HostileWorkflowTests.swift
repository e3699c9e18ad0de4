import CaseworkerCore
import CaseworkerEngine
import CaseworkerStore
import Foundation
import GRDB
import Testing

/// Definitions and inputs written to hurt: each ends its own step `KO` with a clear code, and the
/// runs of others keep completing.
@Suite struct HostileWorkflowTests {
    static let wrapper = #"""
        {"name": "wrap", "steps": [
          {"id": "wrap", "action": "transform", "config": {"set": {"x": "${[[[[[[[[[[input.x]]]]]]]]]]}"}}},
          {"id": "done", "action": "complete", "config": {"result": {"ok": true}}}]}
        """#
    static let amplifier = #"""
        {"name": "amp", "steps": [
          {"id": "amp", "action": "transform", "config": {"set": {"a": "AMPLIFY"}}},
          {"id": "done", "action": "complete"}]}
        """#
    static let doubler = #"""
        {"name": "double", "initialState": {"s": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
         "steps": [
          {"id": "grow", "action": "transform", "config": {"set": {"s": "${state.s + state.s}"}}, "next": [{"stepId": "grow"}]}]}
        """#
    static let simple = #"{"name": "ok", "steps": [{"id": "done", "action": "complete", "config": {"result": {"ok": true}}}]}"#

    @Test func deepSizeAndLoopsEndTheStepKOWithTheirCodes() async throws {
        try await EngineHarness.with { h in
            try await h.publish("wrap", Self.wrapper)
            try await h.publish("amp", Self.amplifier.replacingOccurrences(of: "AMPLIFY", with: String(repeating: "${input.s}", count: 1000)))
            try await h.publish("double", Self.doubler)
            try await h.publish("ok", Self.simple)
            var deep: JSONValue = 1
            for _ in 0..<120 { deep = [deep] }
            let wrapped = try await h.start("wrap", input: ["x": deep])
            let amplified = try await h.start("amp", input: ["s": .string(String(repeating: "q", count: 100_000))])
            let doubled = try await h.start("double")
            let other = try await h.start("ok")

            let wrappedEnd = try await h.finished(wrapped.id)
            #expect(wrappedEnd.status == .failed)
            #expect(wrappedEnd.error?.code == "value_too_deep", "\(String(describing: wrappedEnd.error))")
            let amplifiedEnd = try await h.finished(amplified.id)
            #expect(amplifiedEnd.error?.code == "value_too_large", "\(String(describing: amplifiedEnd.error))")
            // A loop that doubles its state stops at a bound long before memory runs out.
            let doubledEnd = try await h.finished(doubled.id)
            #expect(doubledEnd.status == .failed)
            #expect(["value_too_large", "step_limit_exceeded"].contains(doubledEnd.error?.code ?? ""))
            #expect(try await h.finished(other.id).status == .completed)
        }
    }

    @Test func aRowThatCannotBeReadFailsItsRunAloneAndNeverTheClaim() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pause = #"{"name": "pause", "steps": [{"id": "pause", "action": "wait", "config": {"seconds": 1}}, {"id": "done", "action": "complete"}]}"#
        try await EngineHarness.with(directory: directory) { h in
            try await h.publish("pause", pause)
            let poisoned = try await h.start("pause")
            let healthy = try await h.start("pause")
            for run in [poisoned, healthy] { _ = try await h.waitForRun(run.id) { $0.status == .waiting } }
            // State written before the value limits existed: nested past what is read back.
            let tooDeep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
            let database = try DatabaseQueue(path: directory.appendingPathComponent("db.sqlite").path)
            try await database.write { db in
                try db.execute(sql: "UPDATE runs SET state = ? WHERE id = ?", arguments: ["{\"x\":\(tooDeep)}", poisoned.id])
            }
            // Reads answer, naming the problem.
            let read = try #require(try await h.store.findRun(tenantId: poisoned.tenantId, id: poisoned.id))
            #expect(read.error?.code == "corrupt_state")
            #expect(try await h.store.listRuns(tenantId: poisoned.tenantId, filter: .init(), page: .init(limit: 10)).items.count == 2)
            // Both are due together; the one that reads completes, the other fails alone.
            #expect(try await h.finished(healthy.id).status == .completed)
            let failed = try await h.finished(poisoned.id)
            #expect(failed.status == .failed)
            #expect(failed.error?.code == "corrupt_state")
            #expect(failed.error?.message.contains("state") == true)
            try await database.close()
        }
    }
}
