import CaseworkerCore
import CaseworkerTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `/metrics` of the real binary, parsed by the reference Python parser
/// (`prometheus_client.parser.text_string_to_metric_families`; `scripts/test.sh` installs it into the
/// virtualenv whose python it exports as `CASEWORKER_TEST_PYTHON`). Without that variable the
/// tests are skipped locally; under CI (`CI` set) they fail instead, so they cannot silently stop
/// running. The assertions are on the parsed families, types and label sets, not on the text.
@Suite struct MetricsExpositionTests {
    static let python = ProcessInfo.processInfo.environment["CASEWORKER_TEST_PYTHON"]
    static let required = python != nil || ProcessInfo.processInfo.environment["CI"] != nil

    static let definition: JSONValue = [
        "name": "metrics", "isDraft": false,
        "steps": [
            ["id": "note", "action": "transform", "config": ["set": ["seen": true]]],
            ["id": "done", "action": "complete", "config": ["result": ["ok": true]]],
        ],
    ]

    /// Every family the daemon exposes, with its type and the label names of its series (the
    /// histograms' `le` aside).
    static let families: [String: (type: String, labels: Set<String>)] = [
        "caseworker_http_requests": ("counter", ["method", "route", "status"]),
        "caseworker_http_request_duration_seconds": ("histogram", ["method", "route", "status"]),
        "caseworker_runs_started": ("counter", []),
        "caseworker_runs_finished": ("counter", ["status"]),
        "caseworker_runs_in_flight": ("gauge", []),
        "caseworker_workflow_timeout_alerts": ("counter", []),
        "caseworker_run_executor_failures": ("counter", []),
        "caseworker_step_duration_seconds": ("histogram", ["action", "outcome"]),
        "caseworker_webhook_attempts": ("counter", ["result"]),
        "caseworker_webhook_endpoints_disabled": ("counter", []),
        "caseworker_webhook_deliveries_pending": ("gauge", []),
        "caseworker_webhook_oldest_pending_delivery_age_seconds": ("gauge", []),
        "caseworker_db_commit_duration_seconds": ("histogram", ["transaction"]),
        "caseworker_storage_full": ("gauge", []),
    ]

    @Test(.enabled(if: required, "set CASEWORKER_TEST_PYTHON to a python with prometheus_client installed"))
    func theExpositionParsesWithEveryFamilyAndBoundedLabels() async throws {
        let python = try #require(Self.python, "CI must provide CASEWORKER_TEST_PYTHON (scripts/test.sh sets it)")
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try await createKey(config: config, in: directory)
        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()

        #expect(try await request(port: port, .get, "/healthz").0 == .ok)
        let (_, created) = try await request(port: port, .post, "/v1/cases", key: key, json: ["firstName": "Ada"])
        let caseId = try #require(created["id"]?.stringValue)
        #expect(try await request(port: port, .get, "/v1/cases/\(caseId)", key: key).0 == .ok)
        #expect(try await request(port: port, .put, "/v1/workflow-definitions/metrics", key: key, json: Self.definition).0 == .created)
        let (started, run) = try await request(
            port: port, .post, "/v1/workflows/run", key: key, json: ["caseId": .string(caseId), "workflowDefinitionId": "metrics"])
        #expect(started == .created)
        let runId = try #require(run["id"]?.stringValue)
        _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: runId, "COMPLETED")

        // The run's counters are updated just after its last commit: scrape until they show it.
        let families = try await waitForValue("the finished run in /metrics") {
            let (status, contentType, text) = try await fetch(port: port, "/metrics")
            #expect(status == .ok)
            #expect(contentType == "text/plain; version=0.0.4; charset=utf-8")
            let families = try await Self.parse(text, python: python, in: directory)
            let finished = Self.value(families, "caseworker_runs_finished", sample: "caseworker_runs_finished_total", ["status": "COMPLETED"])
            let inFlight = Self.value(families, "caseworker_runs_in_flight", sample: "caseworker_runs_in_flight")
            return finished == 1 && inFlight == 0 ? families : nil
        }

        for (name, expected) in Self.families {
            guard let family = families[name]?.objectValue else {
                Issue.record("no family \(name) in /metrics")
                continue
            }
            #expect(family["type"]?.stringValue == expected.type, "\(name)")
            for sample in family["samples"]?.arrayValue ?? [] {
                let labels = Set((sample["labels"]?.objectValue ?? [:]).keys).subtracting(["le"])
                #expect(labels == expected.labels, "\(name): \(sample)")
            }
        }
        let unexpected = families.keys.filter { $0.hasPrefix("caseworker_") && Self.families[$0] == nil }
        #expect(unexpected.isEmpty, "undocumented families: \(unexpected)")

        // Values that follow from the requests above.
        #expect(Self.value(families, "caseworker_runs_started", sample: "caseworker_runs_started_total") == 1)
        #expect(Self.labelValues(families, "caseworker_runs_finished", "status") == ["COMPLETED", "FAILED", "TIMED_OUT", "CANCELLED"])
        #expect(Self.labelValues(families, "caseworker_webhook_attempts", "result") == ["success", "http_error", "transport_error"])
        #expect(
            Self.value(
                families, "caseworker_http_requests", sample: "caseworker_http_requests_total",
                ["method": "POST", "route": "/v1/cases", "status": "201"]) == 1)
        #expect(Self.labelValues(families, "caseworker_http_requests", "route").isSuperset(of: ["/healthz", "/v1/cases", "/v1/cases/{id}"]))
        #expect(!Self.labelValues(families, "caseworker_http_requests", "route").contains { $0.contains(caseId) })
        #expect(Self.labelValues(families, "caseworker_step_duration_seconds", "action").isSuperset(of: ["transform", "complete"]))
        #expect(Self.labelValues(families, "caseworker_db_commit_duration_seconds", "transaction").isSuperset(of: ["createCase", "startRun", "commitRun"]))
        #expect(Self.value(families, "caseworker_webhook_deliveries_pending", sample: "caseworker_webhook_deliveries_pending") == 0)
        // A histogram's +Inf bucket counts every observation.
        for name in ["caseworker_http_request_duration_seconds", "caseworker_step_duration_seconds", "caseworker_db_commit_duration_seconds"] {
            for sample in families[name]?["samples"]?.arrayValue ?? [] where sample["name"]?.stringValue == "\(name)_count" {
                var labels = sample["labels"]?.objectValue ?? [:]
                labels["le"] = "+Inf"
                let infinity = Self.samples(families, name).first {
                    $0["name"]?.stringValue == "\(name)_bucket" && $0["labels"]?.objectValue == labels
                }
                #expect(infinity?["value"]?.doubleValue == sample["value"]?.doubleValue, "\(name) \(labels)")
            }
        }

        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }

    @Test(.enabled(if: required, "set CASEWORKER_TEST_PYTHON to a python with prometheus_client installed"))
    func metricsListenMovesTheEndpointToItsOwnAddress() async throws {
        let python = try #require(Self.python, "CI must provide CASEWORKER_TEST_PYTHON (scripts/test.sh sets it)")
        let (directory, config) = try instanceDirectory(extraConfig: "metrics:\n  listen: \"127.0.0.1:0\"\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()
        let metricsPort = try #require(Int(try await daemon.waitForOutput(#"serving /metrics on http://127\.0\.0\.1:(\d+)"#)))
        #expect(metricsPort != port)

        #expect(try await request(port: port, .get, "/healthz").0 == .ok)
        #expect(try await fetch(port: port, "/metrics").0 == .notFound)
        #expect(try await fetch(port: metricsPort, "/healthz").0 == .notFound)
        let (status, _, text) = try await fetch(port: metricsPort, "/metrics")
        #expect(status == .ok)
        let families = try await Self.parse(text, python: python, in: directory)
        #expect(Self.labelValues(families, "caseworker_http_requests", "route").isSuperset(of: ["/healthz", "NotFound"]))
        #expect(families["caseworker_db_commit_duration_seconds"] != nil)

        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }

    // MARK: - Reading the parsed families

    static func samples(_ families: [String: JSONValue], _ family: String) -> [JSONValue] {
        families[family]?["samples"]?.arrayValue ?? []
    }

    /// The value of the first sample `sample` of `family` whose labels include `labels`.
    static func value(_ families: [String: JSONValue], _ family: String, sample: String, _ labels: [String: String] = [:]) -> Double? {
        samples(families, family).first { candidate in
            candidate["name"]?.stringValue == sample
                && labels.allSatisfy { candidate["labels"]?[$0.key]?.stringValue == $0.value }
        }?["value"]?.doubleValue
    }

    /// The values `label` takes across the samples of `family`.
    static func labelValues(_ families: [String: JSONValue], _ family: String, _ label: String) -> Set<String> {
        Set(samples(families, family).compactMap { $0["labels"]?[label]?.stringValue })
    }

    /// Parses `text` with `prometheus_client` and returns the families by name:
    /// `{"type": ..., "samples": [{"name", "labels", "value"}]}`. A text the parser refuses fails.
    static func parse(_ text: String, python: String, in directory: URL) async throws -> [String: JSONValue] {
        let input = directory.appendingPathComponent("metrics-\(UUID().uuidString).txt")
        try text.write(to: input, atomically: true, encoding: .utf8)
        let script = directory.appendingPathComponent("parse_metrics.py")
        try Self.parser.write(to: script, atomically: true, encoding: .utf8)
        let (termination, output, errors) = try await ChildProcess.run(
            python, arguments: [script.path, input.path], standardError: .separate, timeout: .seconds(60))
        guard termination == .exited(0) else {
            throw DaemonProcess.Failure(message: "prometheus_client refused the exposition (\(termination)): \(errors)\n\(text)")
        }
        guard case .object(let families) = try JSONText.decode(output) else {
            throw DaemonProcess.Failure(message: "unexpected parser output")
        }
        return families
    }

    static let parser = """
        import json, math, sys
        from prometheus_client.parser import text_string_to_metric_families

        families = {}
        for family in text_string_to_metric_families(open(sys.argv[1]).read()):
            assert family.name not in families, "duplicate family " + family.name
            families[family.name] = {
                "type": family.type,
                "samples": [
                    {"name": s.name, "labels": dict(s.labels), "value": s.value if math.isfinite(s.value) else str(s.value)}
                    for s in family.samples
                ],
            }
        print(json.dumps(families))
        """
}

/// One GET to a daemon on 127.0.0.1:`port`: (status, content type, body text).
func fetch(port: Int, _ uri: String) async throws -> (HTTPResponse.Status, String?, String) {
    try await TestJSONClient.withServer(port: port, timeout: .seconds(30)) { client in
        let reply = try await client.send(.get, uri, key: nil)
        return (reply.status, reply.headers[.contentType], reply.text)
    }
}
