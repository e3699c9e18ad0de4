import CoreMetrics
import Hummingbird
import Synchronization

/// Counts and times every request for `/metrics`:
///
/// - `caseworker_http_requests_total{method,route,status}` (counter);
/// - `caseworker_http_request_duration_seconds{method,route,status}` (histogram), from the
///   request reaching the router to the response leaving the handler (a long poll's wait
///   included; the time to write the body out is not).
///
/// The labels are bounded: `route` is the route template (`/v1/cases/{id}`, or `NotFound` for a
/// path no route serves), never the raw path, so no id or personal data becomes a label;
/// `method` is one of the standard methods or `OTHER`; `status` is the 3-digit code. Placed just
/// inside `RequestMetadataMiddleware` and outside `ProblemMiddleware`, it sees the status the
/// client receives.
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    private let cache: Cache

    init(factory: any MetricsFactory) {
        cache = Cache(factory: factory)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let status: HTTPResponse.Status
        do {
            let response = try await next(request, context)
            status = response.status
            record(request, context, status, ContinuousClock.now - start)
            return response
        } catch {
            // Unreachable with ProblemMiddleware inside; kept so that no request goes uncounted.
            status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            record(request, context, status, ContinuousClock.now - start)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, _ status: HTTPResponse.Status, _ elapsed: Duration) {
        let key = Key(method: Self.methodLabel(request.method), route: context.endpointPath ?? "NotFound", status: status.code)
        let series = cache.series(for: key)
        series.requests.increment()
        let (seconds, attoseconds) = elapsed.components
        series.duration.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// The `method` label: a standard method's name, else `OTHER` (clients can send any token).
    static func methodLabel(_ method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .head, .post, .put, .patch, .delete, .options: method.rawValue
        default: "OTHER"
        }
    }

    struct Key: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    struct Series: Sendable {
        let requests: Counter
        let duration: CoreMetrics.Timer
    }

    /// One counter and one timer per label set, created on first use (the route templates and
    /// statuses are few), so that a request costs a dictionary lookup, not a factory call.
    final class Cache: Sendable {
        let factory: any MetricsFactory
        let series = Mutex<[Key: Series]>([:])

        init(factory: any MetricsFactory) {
            self.factory = factory
        }

        func series(for key: Key) -> Series {
            series.withLock { series in
                if let existing = series[key] { return existing }
                let dimensions = [("method", key.method), ("route", key.route), ("status", String(key.status))]
                let created = Series(
                    requests: Counter(label: "caseworker_http_requests_total", dimensions: dimensions, factory: factory),
                    duration: CoreMetrics.Timer(
                        label: "caseworker_http_request_duration_seconds", dimensions: dimensions, factory: factory))
                series[key] = created
                return created
            }
        }
    }
}
