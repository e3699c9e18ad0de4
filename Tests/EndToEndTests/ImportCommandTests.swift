import CaseworkerCore
import CaseworkerTestSupport
import Foundation
import Testing

/// `caseworker import` as a migrating team runs it, against the real binary and database.
@Suite struct ImportCommandTests {
    /// The JSON document the command prints on stdout (its one line that is an object).
    static func printed(_ output: String) throws -> JSONValue {
        let line = try #require(output.split(separator: "\n").last { $0.hasPrefix("{") })
        return try JSONText.decode(String(line))
    }

    @Test func importsTheExamplesReportsAndRefusesWhatIsUnmapped() async throws {
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (created, keyOutput) = try await runCaseworker(
            ["keys", "create", "--config", config, "--tenant", "acme", "--name", "migration"], in: directory)
        #expect(created == 0, "\(keyOutput)")
        let key = try #require(keyOutput.split(separator: "\n").last.map(String.init))
        let conductor = directory.appendingPathComponent("conductor.json")
        let invopop = directory.appendingPathComponent("invopop.json")
        let emailMap = directory.appendingPathComponent("email.json")
        try ForeignDefinitionExamples.conductor.write(to: conductor, atomically: true, encoding: .utf8)
        try ForeignDefinitionExamples.invopop.write(to: invopop, atomically: true, encoding: .utf8)
        try #"{"method": "POST", "url": "https://mail.example.com/send", "body": "${config}"}"#.write(to: emailMap, atomically: true, encoding: .utf8)

        let (dry, dryOutput) = try await runCaseworker(
            ["import", "--config", config, "--tenant", "acme", "--format", "conductor", conductor.path, "--dry-run"], in: directory)
        #expect(dry == 0, "\(dryOutput)")
        #expect(try Self.printed(dryOutput)["saved"] == false)
        #expect(dryOutput.contains("MEMBER") && dryOutput.contains("/tasks/0/sink"), "the report is printed as a table")

        let (imported, importOutput) = try await runCaseworker(
            ["import", "--config", config, "--tenant", "acme", "--format", "conductor", conductor.path], in: directory)
        #expect(imported == 0, "\(importOutput)")
        #expect(importOutput.contains("imported api-test as the draft for tenant acme"))
        #expect(try Self.printed(importOutput)["definition"]?["steps"]?.arrayValue?.first?["action"] == "event.emit")

        let (refused, refusedOutput) = try await runCaseworker(
            ["import", "--config", config, "--tenant", "acme", "--format", "invopop", invopop.path, "--id", "invoice"], in: directory)
        #expect(refused == 65, "\(refusedOutput)")
        #expect(refusedOutput.contains("/steps/0/action") && refusedOutput.contains("refused"))
        #expect(refusedOutput.contains("not imported"))

        let (mapped, mappedOutput) = try await runCaseworker(
            ["import", "--config", config, "--tenant", "acme", "--format", "invopop", invopop.path, "--id", "invoice",
             "--map-action", "email.send=\(emailMap.path)", "--publish"], in: directory)
        #expect(mapped == 0, "\(mappedOutput)")
        #expect(mappedOutput.contains("imported invoice as version 1"))

        let (noId, noIdOutput) = try await runCaseworker(
            ["import", "--config", config, "--tenant", "acme", "--format", "invopop", invopop.path, "--map-action", "email.send=\(emailMap.path)"],
            in: directory)
        #expect(noId == 64, "\(noIdOutput)")
        let (noTenant, noTenantOutput) = try await runCaseworker(
            ["import", "--config", config, "--format", "conductor", conductor.path], in: directory)
        #expect(noTenant != 0)
        #expect(noTenantOutput.contains("--tenant is required"))
        let (unknownTenant, unknownOutput) = try await runCaseworker(
            ["import", "--config", config, "--tenant", "nobody", "--format", "conductor", conductor.path], in: directory)
        #expect(unknownTenant == 1)
        #expect(unknownOutput.contains("no tenant nobody"))

        // The daemon serves what the command saved, to the tenant's keys.
        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()
        let (status, draft) = try await request(port: port, .get, "/v1/workflow-definitions/api-test", key: key)
        #expect(status == .ok)
        #expect(draft["version"] == -1)
        #expect(draft["channel"] == "import")
        #expect(draft["createdBy"] == "caseworker import")
        let (_, invoice) = try await request(port: port, .get, "/v1/workflow-definitions/invoice", key: key)
        #expect(invoice["version"] == 1)
        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }
}
