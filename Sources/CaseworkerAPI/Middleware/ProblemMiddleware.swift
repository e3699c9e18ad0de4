import CaseworkerCore
import CaseworkerStore
import Hummingbird
import NIOCore

/// Turns every error thrown by a route into a problem+json answer: the one place where errors
/// meet HTTP statuses.
///
/// Client mistakes map to 4xx (see `Problem`); anything unexpected is logged at error level with
/// the request id and answered as a problem+json 500 that reveals nothing of the cause.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Self.problem(for: error, request: request, context: context)
            if problem.status == .internalServerError {
                context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            }
            return problem.response(instance: context.requestId)
        }
    }

    static func problem(for error: any Error, request: Request, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let failed as ValidationFailed:
            return .validation(failed.errors)
        case let refusal as RunRefusal:
            switch refusal {
            case .caseNotFound, .definitionNotFound, .parametersNotFound: return .notFound("\(refusal)")
            case .caseErased, .noPublishedVersion, .disabled, .depthExceeded: return .conflict("\(refusal)")
            case .invalid(let failed): return .validation(failed.errors)
            }
        case let conflict as RunConflict:
            return .conflict(conflict.description)
        case StoreError.duplicate(let field):
            return .conflict(
                "another resource already has this \(field)",
                errors: [FieldError(property: JSONPointer.appending(field, to: ""), message: "is already taken")])
        case StoreError.conflict(let reason):
            return .conflict(reason)
        case StoreError.storageFull:
            return Problem(
                .serviceUnavailable, "storage-full", "the database's storage is full; nothing was written, retry later",
                headers: [.retryAfter: "30"])
        case StoreError.unavailable:
            return Problem(
                .serviceUnavailable, "database-unavailable", "the database cannot be reached; retry later",
                headers: [.retryAfter: "5"])
        case is RequestDeadlineHandler.RequestTimeout:
            return Problem(.requestTimeout, "request-timeout", "the request was not received in time; the connection is closed")
        case is NIOTooManyBytesError:
            return .contentTooLarge(limit: context.maxUploadSize)
        case let error as HTTPError:
            switch error.status {
            case .notFound: return .notFound("no route for \(request.method.rawValue) \(request.uri.path)")
            case .contentTooLarge: return .contentTooLarge(limit: context.maxUploadSize)
            case .internalServerError: return .internalError
            default: return Problem(error.status, "http-error", error.body ?? error.status.reasonPhrase, headers: error.headers)
            }
        default:
            return .internalError
        }
    }
}
