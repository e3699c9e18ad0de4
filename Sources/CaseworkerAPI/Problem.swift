import CaseworkerCore
import Foundation
import HTTPTypes
import Hummingbird

/// An RFC 9457 problem: every error answer of the API is one of these, as
/// `application/problem+json` `{type, title, status, detail, instance, errors?}`.
///
/// `type` is `urn:caseworker:problem:<slug>`; the slugs are listed in `docs/api.md` and are
/// stable, so clients can branch on them. `instance` is the request id.
public struct Problem: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var slug: String
    public var detail: String
    public var errors: [FieldError]
    public var headers: HTTPFields
    /// Members added to the body (RFC 9457 extension members), e.g. an import's `report`.
    public var extensions: [String: JSONValue]

    public init(
        _ status: HTTPResponse.Status, _ slug: String, _ detail: String, errors: [FieldError] = [], headers: HTTPFields = [:],
        extensions: [String: JSONValue] = [:]
    ) {
        self.status = status
        self.slug = slug
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.extensions = extensions
    }

    public var type: String { "urn:caseworker:problem:\(slug)" }

    static func badRequest(_ detail: String) -> Problem { Problem(.badRequest, "malformed-request", detail) }

    static func unauthorized(_ detail: String) -> Problem {
        Problem(.unauthorized, "unauthorized", detail, headers: [.wwwAuthenticate: "Bearer"])
    }

    static func forbidden(_ detail: String) -> Problem { Problem(.forbidden, "forbidden", detail) }

    static func notFound(_ detail: String) -> Problem { Problem(.notFound, "not-found", detail) }

    static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: [HTTPRequest.Method]) -> Problem {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        return Problem(
            .methodNotAllowed, "method-not-allowed", "\(method.rawValue) is not allowed here; allowed: \(allow)",
            headers: [.allow: allow])
    }

    static func conflict(_ detail: String, errors: [FieldError] = []) -> Problem {
        Problem(.conflict, "conflict", detail, errors: errors)
    }

    static func contentTooLarge(limit: Int) -> Problem {
        Problem(.contentTooLarge, "body-too-large", "the request body exceeds the limit of \(limit) bytes")
    }

    static func unsupportedMediaType(_ detail: String) -> Problem {
        Problem(.unsupportedMediaType, "unsupported-media-type", detail)
    }

    static func validation(_ errors: [FieldError]) -> Problem {
        let count = errors.count == 1 ? "1 problem" : "\(errors.count) problems"
        return Problem(.unprocessableContent, "validation-failed", "the request has \(count); see errors", errors: errors)
    }

    static func unavailable(_ detail: String) -> Problem { Problem(.serviceUnavailable, "unavailable", detail) }

    static let internalError = Problem(
        .internalServerError, "internal-error", "an unexpected error occurred; it has been logged with the request id")

    /// The problem+json response, with `instance` set to the request id.
    func response(instance: String) -> Response {
        var body = extensions
        body.merge([
            "type": .string(type), "title": .string(status.reasonPhrase), "status": .int(status.code),
            "detail": .string(detail), "instance": .string(instance),
        ]) { _, standard in standard }
        if !errors.isEmpty {
            body["errors"] = .array(errors.map { ["property": .string($0.property), "message": .string($0.message)] })
        }
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(
            status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: JSONText.encode(.object(body)))))
    }
}

extension HTTPField.Name {
    static let allow = HTTPField.Name("Allow")!
    static let xRequestID = HTTPField.Name("X-Request-ID")!
}
