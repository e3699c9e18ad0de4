import Foundation

/// CPU time and memory of a process, read from `/proc` (Linux).
struct ProcessStats {
    /// User plus system CPU seconds so far.
    var cpuSeconds: Double
    /// Resident set size now, in bytes.
    var rssBytes: Int
    /// Peak resident set size (`VmHWM`), in bytes.
    var peakRSSBytes: Int

    static func read(pid: Int32) -> ProcessStats? {
        guard let stat = ProcStat.read(pid: pid), let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        else { return nil }
        func kilobytes(_ key: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return 0 }
            return Int(line.split(separator: " ").dropFirst().first ?? "0").map { $0 * 1024 } ?? 0
        }
        return ProcessStats(cpuSeconds: stat.cpuSeconds, rssBytes: kilobytes("VmRSS"), peakRSSBytes: kilobytes("VmHWM"))
    }
}

/// The fields of `/proc/<pid>/stat` the benchmarks read.
struct ProcStat {
    var pid: Int32
    var parent: Int32
    /// User plus system CPU seconds of the process (all its threads).
    var cpuSeconds: Double
    /// User plus system CPU seconds of its children that exited and were waited for.
    var reapedChildrenCPUSeconds: Double

    static func read(pid: Int32) -> ProcStat? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after "(comm)", from field 3 (state): ppid is field 4; utime, stime, cutime and
        // cstime are fields 14 to 17, in clock ticks.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 14, let parent = Int32(fields[1]) else { return nil }
        let ticks = fields[11...14].compactMap { Double($0) }
        guard ticks.count == 4 else { return nil }
        let perSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcStat(pid: pid, parent: parent, cpuSeconds: (ticks[0] + ticks[1]) / perSecond, reapedChildrenCPUSeconds: (ticks[2] + ticks[3]) / perSecond)
    }

    /// Every process now running.
    static func all() -> [ProcStat] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.compactMap { read(pid: $0) }
    }
}
