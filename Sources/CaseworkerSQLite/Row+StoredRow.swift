import CaseworkerCore
import CaseworkerStore
import GRDB

/// GRDB's rows read by the decoders the stores share (`Run.reading`, `RunTask(stored:)`,
/// `WorkerTaskLease(stored:)`). Reading a column never fails: a value of another type converts
/// as SQLite converts it.
extension Row: StoredRow {
    public func text(_ column: String) -> String? { self[column] }
    public func integer(_ column: String) -> Int64? { self[column] }
}
