import GRDB

// The store's SQL goes through each connection's prepared-statement cache (`cached:` instead of
// GRDB's `sql:`): a statement is parsed, planned and authorized once per connection instead of on
// every call, which the W1 profile showed to be a quarter of the daemon's CPU (docs/PERFORMANCE.md).
// Only for one constant statement: SQL built at run time (e.g. `IN (?, ?, ...)` lists) or holding
// several statements keeps `sql:`, so the cache stays bounded by the statements in the code.

extension Database {
    /// `execute(sql:arguments:)` through the statement cache.
    func execute(cached sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}

extension Row {
    /// `fetchOne(_:sql:arguments:)` through the statement cache.
    static func fetchOne(_ db: Database, cached sql: String, arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }

    /// `fetchAll(_:sql:arguments:)` through the statement cache.
    static func fetchAll(_ db: Database, cached sql: String, arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

extension DatabaseValueConvertible where Self: StatementColumnConvertible {
    /// `fetchOne(_:sql:arguments:)` through the statement cache.
    static func fetchOne(_ db: Database, cached sql: String, arguments: StatementArguments = StatementArguments()) throws -> Self? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }

    /// `fetchAll(_:sql:arguments:)` through the statement cache.
    static func fetchAll(_ db: Database, cached sql: String, arguments: StatementArguments = StatementArguments()) throws -> [Self] {
        try fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

// Decoding while the statement is on the row: GRDB looks a statement row's columns up by name in
// a dictionary, but a copied row (what `fetchOne` and `fetchAll` return) lowercases every column
// name on every lookup, which showed in the W1 profile for the runs table's 38 columns.
extension Row {
    /// The first row of the cached statement, decoded by `decode`. `decode` must not run the
    /// same statement again.
    static func fetchOne<T>(
        _ db: Database, cached sql: String, arguments: StatementArguments = StatementArguments(), as decode: (Row) throws -> T
    ) throws -> T? {
        // The cursor must outlive the decoding: releasing it resets the statement, and the row
        // then reads NULLs.
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        return try withExtendedLifetime(cursor) {
            guard let row = try cursor.next() else { return nil }
            return try decode(row)
        }
    }

    /// Every row of the cached statement, decoded by `decode`. `decode` must not run the same
    /// statement again.
    static func fetchAll<T>(
        _ db: Database, cached sql: String, arguments: StatementArguments = StatementArguments(), as decode: (Row) throws -> T
    ) throws -> [T] {
        var values: [T] = []
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        while let row = try cursor.next() { values.append(try decode(row)) }
        return values
    }
}
