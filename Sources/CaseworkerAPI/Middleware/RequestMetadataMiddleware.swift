import CaseworkerCore
import Foundation
import Hummingbird

/// The outermost middleware: gives each request its id and body limit, echoes `X-Request-ID`,
/// drops the body of every answer to `HEAD`, and writes one access-log line per request.
///
/// A client's `X-Request-ID` is kept when it is 1–200 visible ASCII characters; otherwise a ULID
/// is generated. The access log names the route template (`/v1/cases/{id}`), never the raw path
/// or query, so that no personal data reaches the log.
struct RequestMetadataMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let maxBodyBytes: Int
    var valueLimits = ValueLimits.default
    let ids = ULIDGenerator()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = request.headers[.xRequestID].flatMap(Self.acceptable) ?? ids.next(at: Date())
        context.requestId = id
        context.maxUploadSize = maxBodyBytes
        context.valueLimits = valueLimits
        context.logger[metadataKey: "request_id"] = .string(id)
        let start = ContinuousClock.now
        var response = try await next(request, context)
        // HEAD answers carry the headers of the GET answer and no body, errors included (the
        // router makes HEAD routes from GET routes; this covers answers no route produced).
        if request.method == .head { response = response.createHeadResponse() }
        response.headers[.xRequestID] = id
        let elapsed = ContinuousClock.now - start
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "route": .string(context.endpointPath ?? "-"),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .string(String(format: "%.2f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)),
            ])
        return response
    }

    static func acceptable(_ id: String) -> String? {
        (1...200).contains(id.utf8.count) && id.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) ? id : nil
    }
}
