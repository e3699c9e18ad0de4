@testable import CaseworkerCore
import Foundation
import Testing

/// The example definitions of `docs/workflows.md` are valid, so the guide never shows a broken one.
@Suite struct DocumentedExampleTests {
    static func examples() throws -> [String] {
        let guide = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/workflows.md")
        let text = try String(contentsOf: guide, encoding: .utf8)
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```json definition" {
                current = []
            } else if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// The programs the guide's installation lists, for its `exec` example.
    static let rules = DefinitionRules(execPrograms: ["sanctions-check"])

    @Test func theGuideHasSevenExamplesAndEachIsValid() throws {
        let examples = try Self.examples()
        #expect(examples.count == 7)
        for example in examples {
            let parsed = try definition(example, rules: Self.rules)
            #expect(!parsed.steps.isEmpty)
        }
    }

    @Test func theExamplesCoverWhatTheGuidePromises() throws {
        let parsed = try Self.examples().map { try definition($0, rules: Self.rules) }
        #expect(parsed.contains { definition in definition.graph.lists.keys.contains { if case .branch = $0 { true } else { false } } })
        #expect(parsed.contains { $0.rateLimit != nil })
        #expect(parsed.contains { !$0.rescue.isEmpty })
        #expect(parsed.contains { definition in
            definition.graph.lists.values.joined().contains { $0.action == .await }
        })
        #expect(parsed.contains { definition in
            definition.graph.lists.values.joined().contains { $0.action == .workflowRun }
        })
        #expect(parsed.contains { $0.timeoutSeconds > 0 && $0.timeoutPolicy == .timeOutWorkflow && $0.failureWorkflow != nil })
        #expect(parsed.contains { definition in definition.steps.contains { $0.parallel?.branches.count == 3 } })
        #expect(parsed.contains { definition in definition.steps.contains { $0.action == .task } })
        #expect(parsed.contains { definition in
            definition.graph.lists.values.joined().contains { $0.action == .exec }
        })
    }
}
