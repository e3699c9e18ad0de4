import Foundation

/// What is left of a process group, read from `/proc` (Linux).
public enum ProcessGroupProbe {
    /// The ids of the living processes (zombies excepted: they have exited, and whoever adopted
    /// them reaps them when it will) whose process group is `group`.
    public static func livingMembers(of group: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // `pid (comm) state ppid pgrp ...`: comm may hold spaces and parentheses.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", Int32(fields[2]) == group else { return nil }
            return pid
        }
    }

    /// Reads a process group id a script wrote to `path` (`echo $$ > file`), once it is there.
    public static func groupId(writtenTo path: String) -> Int32? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
