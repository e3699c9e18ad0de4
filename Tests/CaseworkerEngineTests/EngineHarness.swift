import CaseworkerCore
import CaseworkerEngine
import CaseworkerSQLite
import CaseworkerStore
import CaseworkerTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// What the local HTTP receiver saw.
final class ReceivedRequests: Sendable {
    struct Entry: Sendable {
        var path: String
        var idempotencyKey: String?
        var body: String
    }

    let entries = Mutex<[Entry]>([])
    /// How many more requests to `/flaky` answer 500 before it answers 200.
    let flakyFailures = Mutex(0)
    /// `/hold` answers 200 once this is set (it gives up after 30 s).
    let holdOpen = Mutex(false)
    /// `/barrier/{name}`: when each request started and ended; each waits until
    /// `barrierParties` requests have started (it gives up after 10 s), so requests that run at
    /// the same time overlap and requests made one after another do not.
    let intervals = Mutex<[String: (start: ContinuousClock.Instant, end: ContinuousClock.Instant?)]>([:])
    let barrierParties = Mutex(2)

    var all: [Entry] { entries.withLock { $0 } }
    func count(_ path: String) -> Int { all.filter { $0.path == path }.count }
}

/// A real SQLite store, the real engine and a real local HTTP receiver, run as services.
struct EngineHarness {
    let store: SQLiteStore
    let clock: any WallClock
    let received: ReceivedRequests
    let receiverPort: Int
    let caseId: String
    /// What `publish` lets definitions name: the programs of the `exec` configuration.
    var rules = DefinitionRules()

    static let tenant = "t"

    /// Runs `body` with everything started; shuts everything down gracefully afterwards, then
    /// runs `afterShutdown` (every step in flight has finished or been abandoned by then).
    ///
    /// With `directory`, the database lives there and survives the call (the caller removes it):
    /// a second call on the same directory is a restart of the daemon on the same file, with the
    /// same case. `exec` is what `exec` steps may run (none by default).
    static func with(
        clock: any WallClock = SystemClock(), configuration: EngineConfiguration = .init(), directory: URL? = nil,
        exec: ExecConfiguration = .init(),
        _ body: @Sendable (EngineHarness) async throws -> Void,
        afterShutdown: @Sendable (EngineHarness) async throws -> Void = { _ in }
    ) async throws {
        let temporary = directory == nil
        let directory =
            directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if temporary { try? FileManager.default.removeItem(at: directory) } }
        let store = try SQLiteStore(options: .init(path: directory.appendingPathComponent("db.sqlite").path), clock: clock)
        try store.migrate()
        let caseRecord: Case
        if let existing = try await store.listCases(tenantId: tenant, externalId: "harness", page: .init(limit: 1)).items.first {
            caseRecord = existing
        } else {
            _ = try await store.createKey(tenantId: tenant, name: "k", scopes: [.admin], secret: .generate())
            caseRecord = try await store.createCase(
                tenantId: tenant, fields: CaseFields(externalId: "harness", firstName: "Ada", companyNumber: "556677"))
        }

        var logger = Logger(label: "engine-test")
        logger.logLevel = ProcessInfo.processInfo.environment["HARNESS_LOG"] == nil ? .critical : .debug
        let received = ReceivedRequests()
        let port = Mutex<Int?>(nil)
        let receiver = Application(
            router: receiverRouter(received),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } },
            logger: logger)
        let client = HTTPRequestAction.makeClient()
        let engine = RunEngine(
            store: store, actions: .standard(http: HTTPRequestAction(client: client), exec: ExecAction(configuration: exec)),
            configuration: configuration, clock: clock, logger: logger)
        let group = ServiceGroup(services: [engine, receiver], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let receiverPort = try await waitForValue("the receiver to listen") { port.withLock { $0 } }
            let harness = EngineHarness(
                store: store, clock: clock, received: received, receiverPort: receiverPort, caseId: caseRecord.id,
                rules: DefinitionRules(execPrograms: Set(exec.programs.keys)))
            do {
                try await body(harness)
            } catch {
                await group.triggerGracefulShutdown()
                try? await client.shutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            try await client.shutdown()
            try await afterShutdown(harness)
        }
    }

    static func receiverRouter(_ received: ReceivedRequests) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RecordingMiddleware(received: received))
        router.post("verify") { _, _ in Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"score": 72}"#))) }
        router.get("not-found") { _, _ in Response(status: .notFound) }
        router.get("fail") { _, _ in Response(status: .internalServerError) }
        router.get("text") { _, _ in "plain words" }
        router.get("slow") { _, _ -> Response in
            try await Task.sleep(for: .seconds(2))
            return Response(status: .ok)
        }
        router.get("hold") { _, _ -> Response in
            let deadline = ContinuousClock.now + .seconds(30)
            while !received.holdOpen.withLock({ $0 }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            return Response(status: .ok)
        }
        router.get("barrier/{name}") { _, context -> Response in
            let name = context.parameters.get("name") ?? ""
            received.intervals.withLock { $0[name] = (ContinuousClock.now, nil) }
            let deadline = ContinuousClock.now + .seconds(10)
            while received.intervals.withLock({ $0.count }) < received.barrierParties.withLock({ $0 }), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            received.intervals.withLock { $0[name]?.end = ContinuousClock.now }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"branch": "\#(name)"}"#)))
        }
        router.get("flaky") { _, _ -> Response in
            let fail = received.flakyFailures.withLock { remaining -> Bool in
                guard remaining > 0 else { return false }
                remaining -= 1
                return true
            }
            return Response(status: fail ? .serviceUnavailable : .ok)
        }
        return router
    }

    struct RecordingMiddleware: RouterMiddleware {
        let received: ReceivedRequests
        func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            received.entries.withLock {
                $0.append(.init(path: request.uri.path, idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!], body: String(buffer: body)))
            }
            return try await next(request, context)
        }
    }

    var baseURL: String { "http://127.0.0.1:\(receiverPort)" }

    /// Publishes `json` (a definition body) as `id` and returns it parsed; `rules` (default the
    /// harness's) as the API would apply them.
    @discardableResult
    func publish(_ id: String, _ json: String, rules: DefinitionRules? = nil) async throws -> DefinitionVersion {
        let parsed = try WorkflowDefinition(
            parsing: try JSONText.decode(json.replacingOccurrences(of: "$BASE", with: baseURL)), rules: rules ?? self.rules)
        return try await store.publish(
            tenantId: Self.tenant, id: id, content: parsed.document, hash: parsed.hash, actor: "test", channel: nil, overwrite: true
        ).saved
    }

    /// Starts a run of the latest version of `definitionId`, as the API would.
    func start(_ definitionId: String, input: JSONValue = [:], values: [String: JSONValue] = [:]) async throws -> Run {
        let version = try #require(try await store.findDefinition(tenantId: Self.tenant, id: definitionId, selector: .latest))
        let definition = try WorkflowDefinition(loading: version.content)
        let caseRecord = try await store.findCase(tenantId: Self.tenant, id: caseId)
        let start = RunStartContext(caseRecord: caseRecord, caseId: caseId, correlationId: "corr-1", now: clock.now)
        return try await store.startRun(
            NewRun(
                id: ULIDGenerator().next(at: Date()), tenantId: Self.tenant, caseId: caseId, workflowDefinitionId: definitionId, version: version.version,
                versionId: version.versionId, parametersId: nil, input: input,
                plan: try definition.planRun(values: values, input: input, start: start), correlationId: "corr-1", channel: nil))
    }

    /// Waits (at most `timeout`) until the run satisfies `condition`, woken by the store's change feed.
    func waitForRun(_ id: String, timeout: Duration = .seconds(30), until condition: @escaping @Sendable (Run) -> Bool) async throws -> Run {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var latest: Run?
            try await store.signals.runChanges.wait(for: id, timeout: .milliseconds(200)) {
                latest = try await store.findRun(tenantId: Self.tenant, id: id)
                return latest.map(condition) ?? false
            }
            if let run = try await store.findRun(tenantId: Self.tenant, id: id), condition(run) { return run }
        }
        throw TimedOut(what: "run \(id)")
    }

    func finished(_ id: String) async throws -> Run {
        try await waitForRun(id) { $0.status.isTerminal }
    }

    func tasks(_ runId: String) async throws -> [RunTask] {
        try await store.runExecution(tenantId: Self.tenant, runId: runId)?.tasks ?? []
    }
}

