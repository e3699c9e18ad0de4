import CaseworkerCore
import CaseworkerStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `Idempotency-Key` on every `POST` (SPEC 2.1).
///
/// The first response to a key (per tenant) is stored for `retention` (24 h by default,
/// `server.idempotencyKeyHours`); a retry with the same key and the same request (API key,
/// method, path, query and body) gets that response again with `Idempotent-Replayed: true`; the
/// same key with a different request — another API key's included — is 422
/// `idempotency-key-reused`; a retry while the first is still being processed is 409. Responses
/// of 5xx, 401 and 403 are not stored (a retry runs again), and a claim whose process died is
/// taken over after `lock` (60 s). A key must be 1–255 characters (else 400).
///
/// It runs after authentication and the resource's scope check (`ResourceGroups`): a replay
/// only ever answers a request its key was allowed to make. A stored response names the case it
/// is about (`caseId(of:path:)`), so that erasing the case deletes it.
///
/// A replay is the stored response: its status, every header the route set (all but
/// `notReplayed`, so a replayed 405 keeps `Allow` and a 201 its `Location`) and its body byte for
/// byte, with one exception: a replayed problem's `instance` becomes the retry's request id, so
/// that `instance` equals `X-Request-ID` on every answer (SPEC 2.1); the replay is logged with
/// the first request's id (`replay_of`), whose log lines explain the answer.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let store: any IdempotencyStore
    let retention: Duration
    static let lock: Duration = .seconds(60)
    /// Headers that describe one exchange rather than the response, never stored: framing (the
    /// body is replayed with its own length), the request id and the replay marker.
    static let notReplayed: Set<HTTPField.Name> = [
        .contentLength, .transferEncoding, .connection, .date, .server, .xRequestID, .idempotentReplayed,
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let key = request.headers[.idempotencyKey] else { return try await next(request, context) }
        guard (1...255).contains(key.unicodeScalars.count) else { throw Problem.badRequest("Idempotency-Key must be 1–255 characters") }
        guard let apiKey = context.apiKey else { throw Problem.unauthorized("authentication is required") }
        let tenantId = apiKey.tenantId
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        var fingerprint = Data("\(apiKey.id) \(request.method.rawValue) \(request.uri.description)\n".utf8)
        fingerprint.append(contentsOf: body.readableBytesView)
        let now = Date()
        let begin = try await store.beginIdempotentRequest(
            tenantId: tenantId, key: key, requestHash: SHA256Hex.of(fingerprint), now: now,
            lockedUntil: now.addingTimeInterval(Self.seconds(Self.lock)), expiresAt: now.addingTimeInterval(Self.seconds(retention)))
        switch begin {
        case .inFlight:
            throw Problem.conflict("a request with this Idempotency-Key is still being processed; retry later")
        case .mismatch:
            throw Problem(
                .unprocessableContent, "idempotency-key-reused", "this Idempotency-Key was already used for a different request")
        case .replay(let stored):
            var headers = HTTPFields()
            for (name, value) in stored.headers { if let field = HTTPField.Name(name) { headers[field] = value } }
            headers[.idempotentReplayed] = "true"
            let body = Self.replayedBody(stored, context: context)
            return Response(status: .init(code: stored.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        case .started:
            break
        }

        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let problem = ProblemMiddleware.problem(for: error, request: request, context: context)
            guard Self.isStored(problem.status.code) else {
                try? await store.abandonIdempotentRequest(tenantId: tenantId, key: key)
                throw error
            }
            return try await complete(problem.response(instance: context.requestId), request: request, tenantId: tenantId, key: key)
        }
        guard Self.isStored(response.status.code) else {
            try? await store.abandonIdempotentRequest(tenantId: tenantId, key: key)
            return response
        }
        return try await complete(response, request: request, tenantId: tenantId, key: key)
    }

    /// Whether a response of `status` is stored: not a server error (a retry runs again), and not
    /// an answer about the credentials rather than the request (401, 403).
    static func isStored(_ status: Int) -> Bool {
        status < 500 && status != 401 && status != 403
    }

    /// The case a stored response is about: under `/v1/cases` the case's own `id`, elsewhere a
    /// top-level `caseId` (a run's). `nil` for any other body.
    static func caseId(of body: [UInt8], path: String) -> String? {
        guard case .object(let members)? = try? JSONText.decode(body) else { return nil }
        let member = path.hasPrefix("/v1/cases") ? "id" : "caseId"
        return members[member]?.stringValue
    }

    /// Stores `response` for the key and returns an equivalent response (its body was consumed).
    private func complete(_ response: Response, request: Request, tenantId: String, key: String) async throws -> Response {
        let collector = BodyCollector()
        try await response.body.write(CollectingWriter(collector: collector))
        let bytes = Array(collector.buffer.readableBytesView)
        var headers: [String: String] = [:]
        for field in response.headers where !Self.notReplayed.contains(field.name) {
            let name = field.name.rawName
            headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
        }
        do {
            try await store.completeIdempotentRequest(
                tenantId: tenantId, key: key,
                response: StoredResponse(
                    status: response.status.code, headers: headers, body: bytes, caseId: Self.caseId(of: bytes, path: request.uri.path)))
        } catch {
            try? await store.abandonIdempotentRequest(tenantId: tenantId, key: key)
            throw error
        }
        return Response(status: response.status, headers: response.headers, body: ResponseBody(byteBuffer: collector.buffer))
    }

    /// The body of a replay: the stored bytes, or for a problem the same problem with `instance`
    /// set to the retry's request id.
    static func replayedBody(_ stored: StoredResponse, context: Context) -> [UInt8] {
        let requestId = context.requestId, logger = context.logger
        let isProblem = stored.headers.contains { $0.key.lowercased() == "content-type" && $0.value.hasPrefix("application/problem+json") }
        guard isProblem, case .object(var problem)? = try? JSONText.decode(stored.body) else {
            logger.info("idempotent replay", metadata: ["status": .stringConvertible(stored.status)])
            return stored.body
        }
        logger.info(
            "idempotent replay",
            metadata: ["status": .stringConvertible(stored.status), "replay_of": .string(problem["instance"]?.stringValue ?? "-")])
        problem["instance"] = .string(requestId)
        return Array(JSONText.encode(.object(problem)).utf8)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Accumulates a response body (used within one task).
private final class BodyCollector {
    var buffer = ByteBuffer()
}

private struct CollectingWriter: ResponseBodyWriter {
    let collector: BodyCollector

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        collector.buffer.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
