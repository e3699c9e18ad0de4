import CaseworkerCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Hostile input through the real router (issue #8): every answer is a 4xx problem, never a 5xx.
/// Slow clients, which need a real connection, are in `SlowClientTests`.
@Suite struct HostileInputTests {
    /// Every route that reads a body, with an id that exists nowhere (the body is read first).
    static let bodyRoutes: [(HTTPRequest.Method, String)] = [
        (.post, "/v1/cases"), (.patch, "/v1/cases/01J00000000000000000000000"),
        (.put, "/v1/workflow-definitions/hostile"), (.post, "/v1/parameters"), (.post, "/v1/workflows/run"),
        (.post, "/v1/webhook-endpoints"), (.patch, "/v1/webhook-endpoints/01J00000000000000000000000"),
    ]

    @Test func bodiesOverTheLimitAre413OnEveryRoute() async throws {
        let app = try await TestApp(configuration: .init(maxBodyBytes: 1024))
        try await app.test { client in
            let big = JSONValue.object(["data": .string(String(repeating: "x", count: 4096))])
            for (method, path) in Self.bodyRoutes {
                let reply = try await client.send(method, path, key: app.keyA, json: big)
                expectProblem(reply, .contentTooLarge)
                // With an Idempotency-Key the middleware collects the body first: the same 413.
                let keyed = try await client.send(method, path, key: app.keyA, json: big, headers: [.idempotencyKey: "big-\(path)"])
                #expect(keyed.status == .contentTooLarge, "\(method) \(path) \(keyed.text)")
            }
        }
    }

    @Test func deeplyNestedJSONIs400() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let unclosed = String(repeating: "[", count: 100_000)
            let closed = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
            let nestedObject = String(repeating: "{\"a\":", count: 20_000) + "1" + String(repeating: "}", count: 20_000)
            for (method, path) in Self.bodyRoutes {
                for body in [unclosed, closed, "{\"data\":\(closed)}", nestedObject] {
                    let reply = try await client.send(method, path, key: app.keyA, rawBody: body)
                    expectProblem(reply, .badRequest)
                }
            }
            // Nesting within limits.maxValueDepth (128) is JSON like any other: a case keeps it.
            let deepButFine = String(repeating: "[", count: 126) + String(repeating: "]", count: 126)
            let created = try await client.send(.post, "/v1/cases", key: app.keyA, rawBody: "{\"data\":{\"deep\":\(deepButFine)}}")
            #expect(created.status == .created, "\(created.text)")
            // One level more is refused, though the parser itself reads it (its limit is 256).
            let tooDeep = String(repeating: "[", count: 127) + String(repeating: "]", count: 127)
            let refused = try await client.send(.post, "/v1/cases", key: app.keyA, rawBody: "{\"data\":{\"deep\":\(tooDeep)}}")
            expectProblem(refused, .badRequest)
            #expect(refused.text.contains("nested deeper than 128 levels"), "\(refused.text)")
        }
    }

    @Test func hugeStringsAndArraysAre422NotStored() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let huge = String(repeating: "ä", count: 300_000)  // 600 KB of UTF-8
            let name = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["firstName": .string(huge)])
            #expect(firstPointer(name) == "/firstName")
            let data = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["data": ["blob": .string(huge)]])
            #expect(firstPointer(data) == "/data")
            let array = JSONValue.array(Array(repeating: .int(0), count: 200_000))
            let items = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["data": ["items": array]])
            expectProblem(items, .unprocessableContent)
            let endpoint = try await client.send(
                .post, "/v1/webhook-endpoints", key: app.keyA, json: ["url": .string("https://example.com/" + huge)])
            #expect(firstPointer(endpoint) == "/url")
            let list = try await client.send(.get, "/v1/cases", key: app.keyA).json
            #expect(list["items"]?.arrayValue?.isEmpty == true)
        }
    }

    /// Bodies near the size limit made of many small items: validation stays linear (a
    /// quadratic duplicate check over 50,000 tags took a minute of CPU per request; these take
    /// about 2 s each in a debug build).
    @Test func bodiesOfManySmallItemsAreCheckedInLinearTime() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let tags = JSONValue.array((0..<20_000).map { .string("t\($0)") })
            let required = JSONValue.array((0..<20_000).map { .string("p\($0)") })
            let steps = JSONValue.array((0..<5_000).map { ["id": .string("s\($0)"), "action": "transform", "config": ["set": [:]]] })
            let bodies: [(String, JSONValue)] = [
                ("tags", ["name": "x", "tags": tags, "steps": [["id": "a", "action": "complete"]]]),
                ("required", ["name": "x", "inputSchema": ["type": "object", "required": required], "steps": [["id": "a", "action": "complete"]]]),
                ("steps", ["name": "x", "steps": steps]),
            ]
            for (name, body) in bodies {
                let start = ContinuousClock.now
                let reply = try await client.send(.put, "/v1/workflow-definitions/big-\(name)", key: app.keyA, json: body)
                let elapsed = ContinuousClock.now - start
                #expect(reply.status.code < 500, "\(name): \(reply.status)")
                #expect(elapsed < .seconds(10), "\(name) took \(elapsed)")
            }
        }
    }

    @Test func invalidUTF8Is400() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let samples: [[UInt8]] = [
                Array("{\"firstName\": \"".utf8) + [0xFF, 0xFE] + Array("\"}".utf8),
                Array("{\"firstName\": \"".utf8) + [0xC3] + Array("\"}".utf8),  // truncated sequence
                Array("{\"firstName\": \"".utf8) + [0xED, 0xA0, 0x80] + Array("\"}".utf8),  // a UTF-16 surrogate
                Array("{\"firstName\": \"".utf8) + [0xC0, 0xAF] + Array("\"}".utf8),  // overlong '/'
                [0xFE, 0xFF, 0x00, 0x7B, 0x00, 0x7D],  // UTF-16 with a byte-order mark (Foundation would read it)
                [0xFF, 0xFE, 0x7B, 0x00, 0x7D, 0x00],
            ]
            for bytes in samples {
                for (method, path) in Self.bodyRoutes {
                    let reply = try await client.sendBytes(method, path, key: app.keyA, body: bytes)
                    expectProblem(reply, .badRequest)
                }
            }
            // A lone surrogate escaped in JSON text is not a string either.
            let escaped = try await client.send(.post, "/v1/cases", key: app.keyA, rawBody: #"{"firstName": "\ud800"}"#)
            #expect(escaped.status == .badRequest || escaped.status == .unprocessableContent, "\(escaped.text)")
        }
    }

    @Test func wrongOrMissingContentTypesAre415() async throws {
        let app = try await TestApp()
        try await app.test { client in
            for (method, path) in Self.bodyRoutes {
                for contentType in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "json", ""] {
                    let reply = try await client.send(method, path, key: app.keyA, rawBody: "{}", contentType: contentType)
                    expectProblem(reply, .unsupportedMediaType)
                }
                let missing = try await client.send(method, path, key: app.keyA, rawBody: "{}", contentType: nil)
                expectProblem(missing, .unsupportedMediaType)
            }
            // A JSON type with parameters, in any case, is JSON.
            let upper = try await client.send(.post, "/v1/cases", key: app.keyA, rawBody: "{}", contentType: "Application/JSON; charset=UTF-8")
            #expect(upper.status == .created)
            // A JSON content type with an empty body is malformed JSON.
            expectProblem(try await client.send(.post, "/v1/cases", key: app.keyA, rawBody: ""), .badRequest)
        }
    }

    @Test func negativeAndHugeNumbersInQueriesAre400() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let numbers = ["-1", "0", "501", "1e400", "99999999999999999999", "1.5", "NaN", "Infinity", "0x10", " 5", "", "abc"]
            for value in numbers {
                let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
                for path in ["/v1/cases", "/v1/workflows", "/v1/workflow-definitions", "/v1/webhook-endpoints", "/v1/webhook-deliveries"] {
                    expectProblem(try await client.send(.get, "\(path)?limit=\(encoded)", key: app.keyA), .badRequest)
                }
            }
            for value in ["-1", "61", "1e400", "99999999999999999999", "1.5", "NaN", "abc"] {
                let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
                expectProblem(try await client.send(.get, "/v1/workflows/01J00000000000000000000000?waitSeconds=\(encoded)", key: app.keyA), .badRequest)
            }
            for value in ["-5", "0", "1e400", "99999999999999999999", "1.0", "abc"] {
                expectProblem(try await client.send(.get, "/v1/workflow-definitions/some-id?version=\(value)", key: app.keyA), .badRequest)
            }
        }
    }

    @Test func negativeAndHugeNumbersInBodiesAre4xx() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let caseId = try await client.createCase(key: app.keyA, ["firstName": "Ada"])
            for number in ["-1", "0", "1e400", "-1e400", "99999999999999999999", "1.5", "1e-400", "-0"] {
                let run = try await client.send(
                    .post, "/v1/workflows/run", key: app.keyA,
                    rawBody: #"{"caseId": "\#(caseId)", "workflowDefinitionId": "none", "version": \#(number)}"#)
                #expect([.badRequest, .unprocessableContent].contains(run.status), "version \(number): \(run.text)")
                let parameters = try await client.send(
                    .post, "/v1/parameters", key: app.keyA, rawBody: #"{"workflowDefinitionId": "none", "version": \#(number)}"#)
                #expect([.badRequest, .unprocessableContent].contains(parameters.status), "version \(number): \(parameters.text)")
                let rotate = try await client.send(
                    .post, "/v1/webhook-endpoints/01J00000000000000000000000/rotate-secret", key: app.keyA,
                    rawBody: #"{"graceSeconds": \#(number)}"#)
                #expect([.badRequest, .notFound, .unprocessableContent].contains(rotate.status), "graceSeconds \(number): \(rotate.text)")
                // Free-form data keeps any finite number; a number JSON cannot represent is refused.
                let data = try await client.send(.post, "/v1/cases", key: app.keyA, rawBody: #"{"data": {"n": \#(number)}}"#)
                #expect([.created, .badRequest, .unprocessableContent].contains(data.status), "data \(number): \(data.text)")
            }
        }
    }

    @Test func unknownQueryParametersAreIgnored() async throws {
        let app = try await TestApp()
        try await app.test { client in
            _ = try await client.createCase(key: app.keyA, ["firstName": "Ada"])
            let reply = try await client.send(.get, "/v1/cases?_=1732270000&utm_source=x&limit=1&limit=900", key: app.keyA)
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.json["items"]?.arrayValue?.count == 1)
            #expect(try await client.send(.get, "/healthz?verbose=true", key: nil).status == .ok)
        }
    }

    @Test func oddIdsInPathsAre404Or400NeverA5xx() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let ids = [
                "..", "%2E%2E", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%5C..%5Cwindows", "%00", "a%00b",
                "%FF%FE", "%C0%AF", "%E2%80%AE", "%F0%9F%98%80", "%20", "%0D%0AX-Injected:%201", "%25", "%3F%23", "'%20OR%201=1--",
                String(repeating: "A", count: 10_000), String(repeating: "%41", count: 3000), "01J00000000000000000000000",
            ]
            let templates = [
                "/v1/cases/{id}", "/v1/parameters/{id}", "/v1/workflow-definitions/{id}", "/v1/workflow-definitions/{id}/versions",
                "/v1/workflows/{id}", "/v1/workflows/{id}/result", "/v1/workflows/{id}/execution", "/v1/webhook-endpoints/{id}",
                "/v1/webhook-deliveries/{id}",
            ]
            for id in ids {
                for template in templates {
                    let reply = try await client.send(.get, template.replacingOccurrences(of: "{id}", with: id), key: app.keyA)
                    #expect([.notFound, .badRequest].contains(reply.status), "\(template) with \(id.prefix(40)): \(reply.status)")
                    #expect(reply.headers[.contentType] == "application/problem+json")
                }
                let signal = try await client.send(.post, "/v1/workflows/01J00000000000000000000000/signals/\(id)", key: app.keyA)
                #expect([.notFound, .badRequest].contains(signal.status), "signal \(id.prefix(40)): \(signal.status)")
            }
            // Raw traversal and doubled slashes never reach a file or another route.
            for path in ["/v1/cases/../../etc/passwd", "/v1/cases/./x", "/v1//cases", "//v1/cases/x", "/v1/cases/x/", "/v1/cases/x/..", "/%2e%2e/%2e%2e/etc/passwd"] {
                let reply = try await client.send(.get, path, key: app.keyA)
                #expect(reply.status.code < 500, "\(path): \(reply.status)")
                #expect(reply.status != .ok || path == "/v1//cases" || path == "/v1/cases/x/..", "\(path): \(reply.text)")
            }
        }
    }

    @Test func limitsCountCodePointsLikeTheDocumentAndTheDatabase() async throws {
        let app = try await TestApp()
        try await app.test { client in
            // 200 characters, 400 code points: over the 256 of the schema's maxLength and the CHECK.
            let combining = String(repeating: "e\u{301}", count: 200)
            #expect(combining.count == 200 && combining.unicodeScalars.count == 400)
            let external = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["externalId": .string(combining)])
            #expect(firstPointer(external) == "/externalId")
            let first = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["firstName": .string(combining)])
            expectProblem(first, .unprocessableContent)
            let description = try await client.send(
                .post, "/v1/webhook-endpoints", key: app.keyA,
                json: ["url": "https://example.com/hook", "description": .string(String(repeating: "e\u{301}", count: 600))])
            #expect(firstPointer(description) == "/description")
            // 256 code points exactly is fine.
            let exact = String(repeating: "e\u{301}", count: 128)
            #expect(try await client.send(.post, "/v1/cases", key: app.keyA, json: ["externalId": .string(exact)]).status == .created)

            // A run's correlationId (CHECK <= 256) and X-Channel (truncated to 64 code points).
            let caseId = try await client.createCase(key: app.keyA, ["firstName": "Ada"])
            let definition = try await client.send(
                .put, "/v1/workflow-definitions/cp", key: app.keyA,
                json: ["name": "cp", "isDraft": false, "steps": [["id": "done", "action": "complete", "config": [:]]]])
            #expect(definition.status == .created, "\(definition.text)")
            let correlated = try await client.send(
                .post, "/v1/workflows/run", key: app.keyA,
                json: ["caseId": .string(caseId), "workflowDefinitionId": "cp", "correlationId": .string(combining)])
            #expect(firstPointer(correlated) == "/correlationId")
            let channel = String(repeating: "e\u{301}", count: 64)
            let started = try await client.send(
                .post, "/v1/workflows/run", key: app.keyA, json: ["caseId": .string(caseId), "workflowDefinitionId": "cp"],
                headers: [HTTPField.Name("X-Channel")!: channel])
            #expect(started.status == .created, "\(started.text)")
            let runId = try #require(started.json["id"]?.stringValue)
            let status = try await client.send(.get, "/v1/workflows/\(runId)", key: app.keyA).json
            #expect(status["channel"]?.stringValue?.unicodeScalars.count ?? 0 <= 64)
        }
    }

    @Test func endpointURLsWithBracketsNeedAnIPv6Address() async throws {
        let app = try await TestApp()
        try await app.test { client in
            for url in ["http://[F:90ec]/x", "http://[v1.x]/", "http://[1.2.3.4]/", "http://[fe80::1%25eth0]/", "https://[]/"] {
                let reply = try await client.send(.post, "/v1/webhook-endpoints", key: app.keyA, json: ["url": .string(url)])
                #expect(firstPointer(reply) == "/url", "\(url)")
            }
            let literal = try await client.send(.post, "/v1/webhook-endpoints", key: app.keyA, json: ["url": "http://[2001:db8::1]:8443/hook"])
            #expect(literal.status == .created, "\(literal.text)")
        }
    }

    @Test func headAnswersLikeGetWithoutABody() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let get = try await client.send(.get, "/healthz", key: nil)
            let head = try await client.send(.head, "/healthz", key: nil)
            #expect(head.status == .ok)
            #expect(head.text.isEmpty)
            #expect(head.headers[.contentLength] == get.headers[.contentLength])
            #expect(head.headers[.contentType] == "application/json")
            #expect(try await client.send(.head, "/v1/cases", key: app.keyA).status == .ok)
            let unknown = try await client.send(.head, "/v1/cases/nope", key: app.keyA)
            #expect(unknown.status == .notFound && unknown.text.isEmpty)
            #expect(try await client.send(.head, "/v1/cases", key: nil).status == .unauthorized)
            let noRoute = try await client.send(.head, "/nowhere", key: nil)
            #expect(noRoute.status == .notFound && noRoute.text.isEmpty)
            // HEAD follows GET: where GET is not allowed, neither is HEAD.
            let run = try await client.send(.head, "/v1/workflows/run", key: app.keyA)
            #expect(run.status == .methodNotAllowed && run.headers[HTTPField.Name("Allow")!] == "POST")
        }
    }

    @Test func otherMethodsOnKnownPathsAre405WithAllow() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let cases: [(HTTPRequest.Method, String, String?, String)] = [
                (.options, "/v1/cases", app.keyA, "GET, HEAD, POST"), (.trace, "/v1/cases/x", app.keyA, "GET, HEAD, PATCH, DELETE"),
                (.query, "/v1/workflows", app.keyA, "GET, HEAD"), (.trace, "/healthz", nil, "GET, HEAD"),
                (.options, "/readyz", nil, "GET, HEAD"), (.post, "/openapi.yaml", nil, "GET, HEAD"), (.delete, "/v1/workflows/x/result", app.keyA, "GET, HEAD"),
                (.trace, "/v1/workflows/x/signals/review", app.keyA, "POST"), (.options, "/v1/workflow-definitions/x", app.keyA, "GET, HEAD, PUT"),
            ]
            for (method, path, key, allow) in cases {
                let reply = try await client.send(method, path, key: key)
                expectProblem(reply, .methodNotAllowed)
                #expect(reply.headers[HTTPField.Name("Allow")!] == allow, "\(method) \(path)")
            }
        }
    }

    @Test func aReplayedAnswerKeepsItsHeadersAndNamesTheRetryAsInstance() async throws {
        let app = try await TestApp()
        try await app.test { client in
            let headers: HTTPFields = [.idempotencyKey: "replay-405", HTTPField.Name("X-Request-ID")!: "first"]
            let first = try await client.send(.post, "/v1/cases/x", key: app.keyA, json: [:], headers: headers)
            #expect(expectProblem(first, .methodNotAllowed)["instance"] == "first")
            var retryHeaders = headers
            retryHeaders[HTTPField.Name("X-Request-ID")!] = "retry"
            let replay = try await client.send(.post, "/v1/cases/x", key: app.keyA, json: [:], headers: retryHeaders)
            #expect(expectProblem(replay, .methodNotAllowed)["instance"] == "retry")
            #expect(replay.headers[.idempotentReplayed] == "true")
            #expect(replay.headers[HTTPField.Name("Allow")!] == "GET, HEAD, PATCH, DELETE")
            var firstProblem = first.json.objectValue ?? [:], replayedProblem = replay.json.objectValue ?? [:]
            firstProblem["instance"] = nil
            replayedProblem["instance"] = nil
            #expect(firstProblem == replayedProblem)

            let created = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["firstName": "Ada"], headers: [.idempotencyKey: "replay-201"])
            let again = try await client.send(.post, "/v1/cases", key: app.keyA, json: ["firstName": "Ada"], headers: [.idempotencyKey: "replay-201"])
            #expect(again.status == .created && again.text == created.text)
            #expect(again.headers[.location] == created.headers[.location] && again.headers[.location] != nil)
            #expect(again.headers[HTTPField.Name("X-Request-ID")!] != created.headers[HTTPField.Name("X-Request-ID")!])
        }
    }
}

/// Asserts `reply` is a 422 problem and returns the pointer of its first error.
func firstPointer(_ reply: Client.Reply, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    expectProblem(reply, .unprocessableContent, sourceLocation: sourceLocation)
    return reply.errorPointers.first
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
