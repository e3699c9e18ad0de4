import CaseworkerCore
import CaseworkerSQLite
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@testable import CaseworkerAPI

/// Collects log records so a test can assert what was logged.
final class LogRecords: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    let records = Mutex<[Record]>([])

    var all: [Record] { records.withLock { $0 } }

    func logger() -> Logger {
        Logger(label: "test") { _ in Handler(records: self) }
    }

    struct Handler: LogHandler {
        let records: LogRecords
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            records.records.withLock {
                $0.append(Record(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
            }
        }
    }
}

@Suite struct UnexpectedErrorTests {
    struct Boom: Error {}

    @Test func anUnexpectedErrorIsAProblem500LoggedWithTheRequestId() async throws {
        let logs = LogRecords()
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: RequestMetadataMiddleware(maxBodyBytes: 1024))
        router.add(middleware: ProblemMiddleware())
        router.get("boom") { _, _ -> Response in throw Boom() }
        let app = Application(router: router, logger: logs.logger())
        try await app.test(.router) { client in
            try await client.execute(uri: "/boom", method: .get, headers: [HTTPField.Name("X-Request-ID")!: "req-500"]) { response in
                #expect(response.status == .internalServerError)
                #expect(response.headers[.contentType] == "application/problem+json")
                let body = try JSONText.decode(String(buffer: response.body))
                #expect(body["type"] == "urn:caseworker:problem:internal-error")
                #expect(body["instance"] == "req-500")
                #expect(body["detail"]?.stringValue?.contains("Boom") == false)
            }
        }
        let errors = logs.all.filter { $0.level == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.metadata["request_id"] == "req-500")
        #expect(errors.first?.metadata["error"]?.contains("Boom") == true)
    }

    @Test func readinessIs503OnAnUnmigratedDatabase() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-ready-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(options: .init(path: directory.appendingPathComponent("db.sqlite").path))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let app = Application(router: makeRouter(store: store), logger: logger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("migrations not applied"))
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        try store.migrate()
        try await store.checkReady()
    }

    @Test func readinessIs503WhileDraining() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caseworker-drain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(options: .init(path: directory.appendingPathComponent("db.sqlite").path))
        try store.migrate()
        let readiness = Readiness()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let app = Application(router: makeRouter(store: store, readiness: readiness), logger: logger)
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            readiness.startDraining()
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("draining"))
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
    }
}
