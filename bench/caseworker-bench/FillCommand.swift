import ArgumentParser
import CaseworkerCore
import Foundation
import GRDB

/// Grows a database to `--runs` finished runs, fast, for the growth measurement: copies the
/// finished runs a W1 benchmark left in it (with their timeline, webhook events, deliveries and
/// delivery attempts) under fresh ids dated over the past four weeks, so the copies sort before
/// new runs. Run it while no daemon uses the file.
struct FillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fill", abstract: "Grow a database to N finished runs.")

    @Option(help: "The database file; it must hold finished runs already (run `w1 --database FILE` first).") var database: String
    @Option(help: "Finished runs wanted in all.") var runs = 1_000_000

    /// The tables copied, in foreign-key order, and the columns that hold ids of copied rows.
    private static let tables: [(name: String, idColumn: String?, references: [String: String])] = [
        ("runs", "id", [:]),
        ("run_tasks", "id", ["run_id": "runs", "parent_task_id": "run_tasks"]),
        ("webhook_events", "id", ["run_id": "runs"]),
        ("webhook_deliveries", "id", ["event_id": "webhook_events"]),
        ("webhook_delivery_attempts", nil, ["delivery_id": "webhook_deliveries"]),
    ]

    func run() async throws {
        let queue = try DatabaseQueue(path: database)
        let seed = try await queue.read { db -> [String: SeedRows] in
            [
                "runs": try SeedRows(db, sql: "SELECT * FROM runs WHERE finished_at IS NOT NULL ORDER BY id"),
                "run_tasks": try SeedRows(db, sql: "SELECT t.* FROM run_tasks t JOIN runs r ON r.id = t.run_id WHERE r.finished_at IS NOT NULL ORDER BY t.id"),
                "webhook_events": try SeedRows(db, sql: "SELECT e.* FROM webhook_events e JOIN runs r ON r.id = e.run_id WHERE r.finished_at IS NOT NULL ORDER BY e.id"),
                "webhook_deliveries": try SeedRows(db, sql: "SELECT d.* FROM webhook_deliveries d JOIN webhook_events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id JOIN runs r ON r.id = e.run_id WHERE r.finished_at IS NOT NULL ORDER BY d.id"),
                "webhook_delivery_attempts": try SeedRows(db, sql: "SELECT a.* FROM webhook_delivery_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id JOIN webhook_events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id JOIN runs r ON r.id = e.run_id WHERE r.finished_at IS NOT NULL"),
            ]
        }
        let seedRuns = seed["runs"]?.rows.count ?? 0
        guard seedRuns > 0 else { throw BenchError("\(database) holds no finished run to copy; run `w1 --database \(database)` first") }
        let existing = try await queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM runs WHERE finished_at IS NOT NULL") ?? 0 }
        let copies = max(0, (runs - existing + seedRuns - 1) / seedRuns)
        log("copying \(seedRuns) finished runs \(copies) times")

        let ids = ULIDGenerator()
        let fourWeeks = 28.0 * 86_400
        let origin = Date().addingTimeInterval(-fourWeeks - 86_400)
        let start = ContinuousClock.now
        var copied = 0
        while copied < copies {
            let batch = min(max(1, 20_000 / seedRuns), copies - copied)
            let first = copied
            try await queue.write { db in
                var statements: [String: Statement] = [:]
                for table in Self.tables {
                    guard let columns = seed[table.name]?.columns, seed[table.name]?.rows.isEmpty == false else { continue }
                    statements[table.name] = try db.makeStatement(
                        sql: "INSERT INTO \(table.name) (\(columns.map { "\"\($0)\"" }.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))")
                }
                for copy in first..<(first + batch) {
                    // One copy's ids are dated together; successive copies walk towards the present.
                    let date = origin.addingTimeInterval(fourWeeks * Double(copy) / Double(max(copies, 1)))
                    var newIds: [String: [String: String]] = [:]
                    for table in Self.tables {
                        guard let rows = seed[table.name], let statement = statements[table.name] else { continue }
                        for row in rows.rows {
                            var values: [DatabaseValue] = []
                            for (column, value) in zip(rows.columns, row) {
                                if column == table.idColumn {
                                    let id = ids.next(at: date)
                                    newIds[table.name, default: [:]][String.fromDatabaseValue(value) ?? ""] = id
                                    values.append(id.databaseValue)
                                } else if let referenced = table.references[column], let old = String.fromDatabaseValue(value) {
                                    values.append((newIds[referenced]?[old] ?? old).databaseValue)
                                } else {
                                    values.append(value)
                                }
                            }
                            try statement.execute(arguments: StatementArguments(values))
                        }
                    }
                }
            }
            copied += batch
            if copied % max(1, 100_000 / seedRuns) < batch { log("\(copied * seedRuns + existing) finished runs") }
        }
        let total = try await queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") ?? 0 }
        try await queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let elapsed = ContinuousClock.now - start
        print("fill: \(total) runs in \(database) (copied in \(elapsed.components.seconds) s)")
    }
}

/// Rows of one table as plain values (GRDB's `Row` is not `Sendable`).
struct SeedRows: Sendable {
    var columns: [String]
    var rows: [[DatabaseValue]]

    init(_ db: Database, sql: String) throws {
        let fetched = try Row.fetchAll(db, sql: sql)
        columns = fetched.first.map { Array($0.columnNames) } ?? []
        rows = fetched.map { Array($0.databaseValues) }
    }
}
