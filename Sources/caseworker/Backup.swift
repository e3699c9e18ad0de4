import ArgumentParser
import CaseworkerServer
import Foundation

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the database to DEST while the daemon serves (online, consistent), then check the copy.",
        discussion: """
            Uses SQLite's online backup API on one consistent snapshot; the daemon keeps serving. \
            The copy is checked with PRAGMA integrity_check. Restore by stopping the daemon and \
            putting the copy in place of database.path (remove the old -wal and -shm files).
            """)

    @OptionGroup var instance: InstanceOptions

    @Argument(help: "The new backup file (must not exist).")
    var destination: String

    func run() async throws {
        let store = try Instance.openStore(config: try await instance.loadConfig(), selection: instance.selection)
        do {
            try store.backup(to: destination)
        } catch {
            Console.error("backup failed: \(error)")
            throw ExitCode.failure
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int) ?? 0
        print("backed up to \(destination) (\(size) bytes); integrity check ok")
    }
}
