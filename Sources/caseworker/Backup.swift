import ArgumentParser
import CaseworkerServer
import Foundation

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the database to DEST while the daemon serves (online, consistent), then check the copy.",
        discussion: """
            Uses SQLite's online backup API on one consistent snapshot; the daemon keeps serving. \
            The copy is checked with PRAGMA integrity_check. Restore by stopping the daemon and \
            putting the copy in place of database.path (remove the old -wal and -shm files). \
            A PostgreSQL database (database.url) is backed up with PostgreSQL's own tools \
            (pg_dump, base backups): on one, this command says so and exits 1.
            """)

    @OptionGroup var instance: InstanceOptions

    @Argument(help: "The new backup file (must not exist).")
    var destination: String

    func run() async throws {
        let opened = try Instance.openStore(config: try await instance.loadConfig(), selection: instance.selection)
        do {
            try opened.backup(to: destination)
        } catch let error as BackupUnsupported {
            Console.error("backup refused: \(error)")
            throw ExitCode.failure
        } catch {
            Console.error("backup failed: \(error)")
            throw ExitCode.failure
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int) ?? 0
        print("backed up to \(destination) (\(size) bytes); integrity check ok")
    }
}
