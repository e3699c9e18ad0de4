import CaseworkerCore
import CaseworkerTestSupport
import Foundation
import HTTPTypes
import Testing

/// One tenant's definitions and inputs written to hurt, against the real daemon process: each
/// answers a clear 4xx or ends its run's step `KO` with its code, another tenant's runs started
/// beside them complete, `/healthz` answers throughout, and the process's peak memory stays
/// bounded (before the value limits, the amplifier alone took the daemon from 44 MB to 930 MB).
@Suite struct HostileTenantTests {
    static let wrapper: JSONValue = [
        "name": "wrap", "isDraft": false,
        "steps": [
            ["id": "wrap", "action": "transform", "config": ["set": ["x": "${[[[[[[[[[[input.x]]]]]]]]]]}"]]],
            ["id": "done", "action": "complete"],
        ],
    ]
    static let amplifier: JSONValue = [
        "name": "amp", "isDraft": false,
        "steps": [
            ["id": "amp", "action": "transform", "config": ["set": ["a": .string(String(repeating: "${input.s}", count: 1000))]]],
            ["id": "done", "action": "complete"],
        ],
    ]
    static let doubler: JSONValue = [
        "name": "double", "isDraft": false, "initialState": ["s": "0123456789abcdef0123456789abcdef"],
        "steps": [
            ["id": "grow", "action": "transform", "config": ["set": ["s": "${state.s + state.s}"]], "next": [["stepId": "grow"]]],
        ],
    ]
    static let search: JSONValue = [
        "name": "search", "isDraft": false,
        "steps": [
            ["id": "find", "action": "transform", "config": ["set": ["found": "${contains(input.h, input.n) || input.n in input.h}"]]],
            ["id": "done", "action": "complete", "config": ["result": ["found": "${state.found}"]]],
        ],
    ]
    /// Twelve properties with a pattern that backtracking engines take exponential time on.
    static let backtracking: JSONValue = {
        var properties: [String: JSONValue] = [:]
        for i in 0..<12 { properties["p\(i)"] = ["type": "string", "pattern": "^(a+)+$"] }
        return [
            "name": "patterns", "isDraft": false,
            "inputSchema": ["type": "object", "properties": .object(properties)], "enforceSchema": true,
            "steps": [["id": "done", "action": "complete"]],
        ]
    }()
    static let simple: JSONValue = [
        "name": "ok", "isDraft": false,
        "steps": [["id": "done", "action": "complete", "config": ["result": ["ok": true]]]],
    ]

    @Test(.timeLimit(.minutes(3)))
    func oneTenantsHostileRunsNeitherStallOthersNorGrowTheProcess() async throws {
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mallory = try await createKey(config: config, in: directory, tenant: "mallory")
        let acme = try await createKey(config: config, in: directory, tenant: "acme")
        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()

        for (id, definition) in [("wrap", Self.wrapper), ("amp", Self.amplifier), ("double", Self.doubler),
                                 ("search", Self.search), ("patterns", Self.backtracking)] {
            let (status, body) = try await request(port: port, .put, "/v1/workflow-definitions/\(id)", key: mallory, json: definition)
            #expect(status == .created, "\(id): \(body)")
        }
        #expect(try await request(port: port, .put, "/v1/workflow-definitions/ok", key: acme, json: Self.simple).0 == .created)
        let malloryCase = try #require(try await request(port: port, .post, "/v1/cases", key: mallory, json: ["firstName": "M"]).1["id"]?.stringValue)
        let acmeCase = try #require(try await request(port: port, .post, "/v1/cases", key: acme, json: ["firstName": "A"]).1["id"]?.stringValue)

        func start(_ definition: String, key: String, caseId: String, input: JSONValue = [:]) async throws -> (HTTPResponse.Status, JSONValue) {
            try await request(port: port, .post, "/v1/workflows/run", key: key, json: [
                "caseId": .string(caseId), "workflowDefinitionId": .string(definition), "input": input,
            ])
        }
        var deep: JSONValue = 1
        for _ in 0..<120 { deep = [deep] }
        let hostile: [(definition: String, input: JSONValue, codes: Set<String?>)] = [
            ("wrap", ["x": deep], ["value_too_deep"]),
            ("amp", ["s": .string(String(repeating: "q", count: 100_000))], ["value_too_large"]),
            ("double", [:], ["value_too_large", "step_limit_exceeded"]),
            // Linear search: it completes (no error) or runs out of its budget, never stalls.
            ("search", ["h": .string(String(repeating: "a", count: 40_000)), "n": .string(String(repeating: "a", count: 20_000) + "b")],
             [nil, "expression_budget_exceeded"]),
        ]
        var hostileRuns: [(id: String, codes: Set<String?>)] = []
        for run in hostile {
            let (status, body) = try await start(run.definition, key: mallory, caseId: malloryCase, input: run.input)
            #expect(status == .created, "\(run.definition): \(body)")
            hostileRuns.append((try #require(body["id"]?.stringValue), run.codes))
        }
        // Patterns match in linear time: the refusal is immediate and names the property.
        let notMatching = JSONValue.object(Dictionary(uniqueKeysWithValues: (0..<12).map {
            ("p\($0)", JSONValue.string(String(repeating: "a", count: 40) + "!"))
        }))
        let (patternStatus, patternBody) = try await start("patterns", key: mallory, caseId: malloryCase, input: notMatching)
        #expect(patternStatus == .unprocessableContent, "\(patternBody)")
        // A signal payload past the depth limit is refused before anything is stored.
        let deepPayload = #"{"x": \#(String(repeating: "[", count: 255) + String(repeating: "]", count: 255))}"#
        let signal = try await TestJSONClient.withServer(port: port) { [hostileRuns] client in
            try await client.send(.post, "/v1/workflows/\(hostileRuns[0].id)/signals/go", key: mallory, rawBody: deepPayload)
        }
        #expect(signal.status == .badRequest, "\(signal.text)")

        // The other tenant's runs, started while the hostile ones are being evaluated.
        var acmeRuns: [String] = []
        for _ in 0..<20 {
            let (status, body) = try await start("ok", key: acme, caseId: acmeCase)
            #expect(status == .created)
            acmeRuns.append(try #require(body["id"]?.stringValue))
            #expect(try await request(port: port, .get, "/healthz").0 == .ok)
        }
        for run in acmeRuns {
            _ = try await RunRecoveryTests.waitForStatus(port: port, key: acme, run: run, "COMPLETED")
            #expect(try await request(port: port, .get, "/v1/workflows/\(run)/result", key: acme).1["result"] == .some(["ok": true]))
        }
        for run in hostileRuns {
            let end = try await waitForEnd(port: port, key: mallory, run: run.id)
            let code = end["error"]?["code"]?.stringValue
            #expect(run.codes.contains(code), "\(run.id): \(end)")
            #expect(try await request(port: port, .get, "/healthz").0 == .ok)
        }
        // Every hostile run's reads answer (no 500 on a run or the list that holds it).
        #expect(try await request(port: port, .get, "/v1/workflows?limit=50", key: mallory).0 == .ok)
        for run in hostileRuns {
            #expect(try await request(port: port, .get, "/v1/workflows/\(run.id)/execution", key: mallory).0 == .ok)
        }

        let peak = try peakResidentBytes(of: daemon.pid)
        // Bounded values keep every copy near the 1 MiB / 4 MiB limits; unbounded, the amplifier
        // alone would build a 100 MB value (and copies of it).
        #expect(peak < 256 << 20, "peak RSS \(peak >> 20) MiB")
        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }

    /// Polls until the run has ended (any terminal status) and returns it.
    func waitForEnd(port: Int, key: String, run: String) async throws -> JSONValue {
        try await waitForValue("run \(run) ends", timeout: .seconds(90)) {
            let (_, body) = try await request(port: port, .get, "/v1/workflows/\(run)?waitSeconds=5", key: key)
            return RunStatus(rawValue: body["status"]?.stringValue ?? "")?.isTerminal == true ? body : nil
        }
    }
}

/// The peak resident set size of a process (`VmHWM` in `/proc/<pid>/status`), in bytes.
func peakResidentBytes(of pid: Int32) throws -> Int {
    let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { throw DaemonProcess.Failure(message: "no VmHWM in /proc/\(pid)/status") }
    return kilobytes * 1024
}

/// A full disk under the real daemon: writes answer 503 `storage-full`, `/readyz` says so, the
/// state change is logged once (not per request or per engine round), a run whose timer fires
/// meanwhile completes, and everything resumes by itself once space is freed. On a real
/// 4 MB tmpfs (root only: CI runs as root; elsewhere the test is skipped).
@Suite struct FullDiskDaemonTests {
    static let isRoot = getuid() == 0

    @Test(.enabled(if: isRoot, "mounting a tmpfs needs root"), .timeLimit(.minutes(3)))
    func theDaemonAnswers503AndResumesWhenSpaceIsFreed() async throws {
        let (directory, config) = try instanceDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mount = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        // fork and exec by libc, as in StorageFullTests.
        try #require(system("mount -t tmpfs -o size=4m tmpfs '\(mount.path)'") == 0, "mount a tmpfs")
        defer { _ = system("umount '\(mount.path)'") }
        var text = try String(contentsOfFile: config, encoding: .utf8)
        text = text.replacingOccurrences(of: directory.appendingPathComponent("caseworker.sqlite").path, with: mount.appendingPathComponent("caseworker.sqlite").path)
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let key = try await createKey(config: config, in: directory)
        let ballast = mount.appendingPathComponent("ballast")
        try Data(count: 1 << 20).write(to: ballast)

        let daemon = try await DaemonProcess(["serve", "--config", config], in: directory)
        let port = try await daemon.waitForPort()
        let pause: JSONValue = [
            "name": "pause", "isDraft": false,
            "steps": [["id": "pause", "action": "wait", "config": ["seconds": 2]],
                      ["id": "done", "action": "complete", "config": ["result": ["resumed": true]]]],
        ]
        #expect(try await request(port: port, .put, "/v1/workflow-definitions/pause", key: key, json: pause).0 == .created)
        let run = try #require(try await RunRecoveryTests.startRuns(port: port, key: key, definition: "pause", count: 1).first)

        var full = false
        let blob = JSONValue.string(String(repeating: "x", count: 60_000))
        // Filled until a write is refused and /readyz says so (a WAL checkpoint can give space back
        // between the two; then the next writes take it).
        for _ in 0..<200 where !full {
            let (status, body) = try await request(port: port, .post, "/v1/cases", key: key, json: ["data": ["blob": blob]])
            if status == .serviceUnavailable {
                #expect(body["type"]?.stringValue?.hasSuffix("storage-full") == true, "\(body)")
                let (ready, readyBody) = try await request(port: port, .get, "/readyz")
                if ready == .serviceUnavailable {
                    #expect("\(readyBody)".contains("storage full"))
                    full = true
                }
            } else {
                #expect(status == .created, "\(body)")
            }
        }
        try #require(full, "the 4 MB file system filled up and /readyz says so")
        // The run's timer fires (typically while the disk is full: its step's commit then waits).
        try await Task.sleep(for: .seconds(3))
        #expect(try await request(port: port, .get, "/healthz").0 == .ok)

        try FileManager.default.removeItem(at: ballast)
        _ = try await RunRecoveryTests.waitForStatus(port: port, key: key, run: run, "COMPLETED")
        #expect(try await request(port: port, .get, "/v1/workflows/\(run)/result", key: key).1["result"] == .some(["resumed": true]))
        #expect(try await request(port: port, .get, "/readyz").0 == .ok)
        #expect(try await request(port: port, .post, "/v1/cases", key: key, json: ["firstName": "Ada"]).0 == .created)
        _ = try await daemon.waitForOutput("database storage is writable again")
        let fullLines = daemon.text.components(separatedBy: "database storage is full").count - 1
        let storageLines = daemon.text.split(separator: "\n").filter { $0.contains("storage") }.joined(separator: "\n")
        let writableLines = daemon.text.components(separatedBy: "database storage is writable again").count - 1
        #expect(fullLines >= 1 && fullLines == writableLines, "logged once per state change:\n\(storageLines)")
        daemon.signal(SIGTERM)
        #expect(try await daemon.waitForExit() == 0)
    }
}
