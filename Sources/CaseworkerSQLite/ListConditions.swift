import GRDB

/// The `WHERE` clause of a list query, made of the filters that are given only: a condition
/// written as `(? IS NULL OR column = ?)` cannot be read from an index, so a filter few rows
/// match would read the whole table (docs/PERFORMANCE.md, "Backlogs and filtered lists").
/// Each combination of filters is one statement in the statement cache.
struct ListConditions {
    private var clauses: [String] = []
    private(set) var values: [DatabaseValue] = []

    /// Adds `clause`, with one `?` for `value`, when `value` is given.
    mutating func add(_ clause: String, _ value: (any DatabaseValueConvertible)?) {
        guard let value else { return }
        clauses.append(clause)
        values.append(value.databaseValue)
    }

    /// Adds `clause` as it is, e.g. with an enumeration's value written in: SQLite uses a partial
    /// index only for a condition it can see in the SQL.
    mutating func add(literal clause: String?) {
        guard let clause else { return }
        clauses.append(clause)
    }

    /// `WHERE ...`, or nothing when no filter is given.
    var sql: String { clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ") }
}
