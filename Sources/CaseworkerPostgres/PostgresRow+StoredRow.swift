import CaseworkerStore
import PostgresNIO

/// PostgresNIO's rows read by the decoders the stores share: `Run.reading(row)`,
/// `RunTask(stored: row)`, `WorkerTaskLease(stored: row)`. A column the row lacks reads as NULL;
/// a value of another type throws (`PostgresDecodingError`): the schema makes that a bug.
extension PostgresRandomAccessRow: StoredRow {
    public func text(_ column: String) throws -> String? {
        contains(column) ? try self[column].decode(String?.self) : nil
    }

    public func integer(_ column: String) throws -> Int64? {
        contains(column) ? try self[column].decode(Int64?.self) : nil
    }
}
