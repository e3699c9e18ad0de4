import CaseworkerCore
import Foundation
import Hummingbird

/// Reading JSON request bodies and writing JSON responses.
enum JSONBody {
    /// The request body as JSON.
    ///
    /// - 415 unless `Content-Type` is `application/json`, `text/json`, or an `application/*+json`
    ///   type (`application/merge-patch+json`, …);
    /// - 413 when the body exceeds the request's `maxUploadSize` (`server.maxBodyBytes`);
    /// - 400 when it is not UTF-8 (UTF-16 and UTF-32 included) or not valid JSON, or nested
    ///   deeper than `limits.maxValueDepth` (`ValueLimits.maxDepth`, default 128) levels.
    static func read(_ request: Request, context: APIRequestContext) async throws -> JSONValue {
        guard let contentType = request.headers[.contentType] else {
            throw Problem.unsupportedMediaType("a JSON body is required: send 'Content-Type: application/json'")
        }
        // `Content-Type: ` (empty) or `;charset=x` has no media type: split keeps an empty first part.
        let mediaType = (contentType.split(separator: ";", omittingEmptySubsequences: false).first ?? "")
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/json" || mediaType == "text/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
        else {
            throw Problem.unsupportedMediaType("Content-Type must be application/json (or text/json, application/*+json), got \(mediaType)")
        }
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        // JSON between systems is UTF-8 (RFC 8259 §8.1); Foundation's decoder would also read
        // UTF-16 and UTF-32 by their byte-order marks.
        guard String(validating: buffer.readableBytesView, as: UTF8.self) != nil else {
            throw Problem.badRequest("the request body is not valid UTF-8")
        }
        let value: JSONValue
        do {
            value = try JSONText.decode(buffer.readableBytesView)
        } catch {
            throw Problem.badRequest("the request body is not valid JSON: \(reason(error))")
        }
        // Only the depth: the size is bounded by the body limit.
        if let violation = context.valueLimits.violation(of: value, byteLimit: .max) {
            throw Problem.badRequest("the request body is not accepted: \(violation) (limits.maxValueDepth)")
        }
        return value
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? JSONNestingTooDeep { return error.description }
        guard case DecodingError.dataCorrupted(let context) = error else { return "unreadable" }
        if let underlying = context.underlyingError {
            let text = (underlying as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            return text ?? context.debugDescription
        }
        return context.debugDescription
    }
}

extension Response {
    /// A JSON response of `value` (compact, keys sorted).
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(
            status: status, headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: JSONText.encode(value))))
    }
}
