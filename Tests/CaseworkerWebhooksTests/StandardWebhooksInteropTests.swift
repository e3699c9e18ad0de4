import CaseworkerCore
import CaseworkerStore
import CaseworkerTestSupport
import CaseworkerWebhookSigning
import Foundation
import Testing

@testable import CaseworkerWebhooks

/// Real deliveries, captured at a real receiver, verified by the official Python
/// `standardwebhooks` package (`scripts/test.sh` installs it into a virtualenv and exports its python as
/// `CASEWORKER_TEST_PYTHON`). Without that variable the test is skipped locally; under CI
/// (`CI` set) it fails instead, so it cannot silently stop running.
@Suite struct StandardWebhooksInteropTests {
    static let python = ProcessInfo.processInfo.environment["CASEWORKER_TEST_PYTHON"]
    static let required = python != nil || ProcessInfo.processInfo.environment["CI"] != nil

    @Test(.enabled(if: required, "set CASEWORKER_TEST_PYTHON to a python with standardwebhooks installed"))
    func theOfficialVerifierAcceptsEveryDelivery() async throws {
        let python = try #require(Self.python, "CI must provide CASEWORKER_TEST_PYTHON (scripts/test.sh sets it)")
        let h = try await Harness(clock: SystemClockForTests())
        defer { h.cleanUp() }
        let rotated = WebhookSecret.generate()
        try await Receiver.with { receiver in
            let plain = try await h.endpoint(receiver.url("plain"))
            let rotating = try await h.endpoint(receiver.url("rotating"), events: WebhookEventType.builtIn)
            _ = try await h.store.rotateSecret(tenantId: Harness.tenant, id: rotating.id, newSecret: rotated.text, grace: .seconds(3600))
            for type in WebhookEventType.builtIn { try await h.enqueue(type) }
            try await h.withDispatcher { _ in
                _ = try await h.waitForAttempts(plain.id, count: 4)
                _ = try await h.waitForAttempts(rotating.id, count: 6)
            }
            // One case per delivery and secret: the plain endpoint's secret, and each of the
            // rotating endpoint's two active secrets on their own.
            var cases: [JSONValue] = []
            for request in receiver.all {
                let secrets = request.name == "plain" ? [Harness.secret] : [Harness.secret, rotated]
                for secret in secrets {
                    cases.append([
                        "secret": .string(secret.text), "body": .string(request.bodyText),
                        "headers": .object(request.headers.filter { $0.key.hasPrefix("webhook-") }.mapValues(JSONValue.string)),
                    ])
                }
            }
            #expect(cases.count == 16)
            let input = h.directory.appendingPathComponent("deliveries.json")
            try JSONText.encode(.array(cases)).write(to: input, atomically: true, encoding: .utf8)
            let script = h.directory.appendingPathComponent("verify.py")
            try Self.verifier.write(to: script, atomically: true, encoding: .utf8)

            let (termination, text, _) = try await ChildProcess.run(python, arguments: [script.path, input.path], timeout: .seconds(60))
            #expect(termination == .exited(0), "\(text)")
            #expect(text.contains("verified 16 of 16"), "\(text)")
        }
    }

    /// Verifies each case with `standardwebhooks.Webhook(secret).verify(body, headers)`, and
    /// checks that a tampered body is rejected.
    static let verifier = """
        import json, sys
        from standardwebhooks.webhooks import Webhook, WebhookVerificationError

        cases = json.load(open(sys.argv[1]))
        ok = 0
        for case in cases:
            hook = Webhook(case["secret"])
            payload = hook.verify(case["body"], case["headers"])
            assert payload["type"].startswith("workflow."), payload
            try:
                hook.verify(case["body"] + " ", case["headers"])
                print("a tampered body was accepted")
                sys.exit(1)
            except WebhookVerificationError:
                pass
            ok += 1
        print(f"verified {ok} of {len(cases)}")
        """
}

/// Real time: the official verifier checks the timestamp against its own clock.
struct SystemClockForTests: WallClock {
    var now: Date { Date() }
}
