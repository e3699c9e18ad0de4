import Foundation

/// A PostgreSQL server measured as one: its postmaster and every process under it (backends,
/// checkpointer, WAL writer, autovacuum workers, …).
struct Postmaster {
    let pid: Int32

    init(pid: Int32) throws {
        guard ProcStat.read(pid: pid) != nil else { throw BenchError("no process \(pid) (the PostgreSQL postmaster)") }
        self.pid = pid
    }

    /// The postmaster of the server whose data directory `dataDirectory` is: the first line of
    /// its `postmaster.pid`.
    init(dataDirectory: String) throws {
        let file = URL(fileURLWithPath: dataDirectory).appendingPathComponent("postmaster.pid")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { throw BenchError("cannot read \(file.path) (is the server running?)") }
        guard let pid = text.split(separator: "\n").first.flatMap({ Int32($0.trimmingCharacters(in: .whitespaces)) }) else {
            throw BenchError("\(file.path) does not start with a pid")
        }
        try self.init(pid: pid)
    }

    /// User plus system CPU seconds of the server so far: of the postmaster and each process
    /// descending from it, each with its exited children's. A backend that exits between two
    /// readings moves from its own figure into the postmaster's (which waits for it), so the
    /// difference of two readings is the server's CPU in between.
    func cpuSeconds() throws -> Double {
        let processes = ProcStat.all()
        let children = Dictionary(grouping: processes, by: \.parent)
        guard var pending = processes.first(where: { $0.pid == pid }).map({ [$0] }) else {
            throw BenchError("the PostgreSQL postmaster (pid \(pid)) is gone")
        }
        var total = 0.0
        while let process = pending.popLast() {
            total += process.cpuSeconds + process.reapedChildrenCPUSeconds
            pending += children[process.pid] ?? []
        }
        return total
    }
}
