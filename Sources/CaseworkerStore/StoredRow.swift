import CaseworkerCore
import Foundation

/// One row of a store's table, read column by column through its driver: the stores decode
/// domain values from it with the same code (`Run.reading`, `RunTask(stored:)`,
/// `WorkerTaskLease(stored:)`), so the meaning of the columns is written once.
///
/// Both stores have the same tables and columns: text and JSON as text, timestamps as Unix
/// milliseconds, counts as integers. A NULL where the schema forbids one reads as empty or 0.
public protocol StoredRow {
    /// What reading a column can throw: `Never` for a driver that cannot fail (GRDB's rows).
    associatedtype ReadError: Error
    /// The text of `column`, `nil` when NULL.
    func text(_ column: String) throws(ReadError) -> String?
    /// The integer of `column`, `nil` when NULL.
    func integer(_ column: String) throws(ReadError) -> Int64?
}

extension StoredRow {
    func int(_ column: String) throws(ReadError) -> Int? { try integer(column).map { Int($0) } }

    func date(_ column: String) throws(ReadError) -> Date? { try integer(column).map(Timestamp.date(millis:)) }

    /// The JSON of `column`; `nil` when NULL or unreadable.
    func readableJSON(_ column: String) throws(ReadError) -> JSONValue? {
        guard let text = try text(column) else { return nil }
        return try? JSONText.decode(text)
    }
}
