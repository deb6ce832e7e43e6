#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `process_*` values Prometheus clients export, read from `/proc` like client_golang's process collector.
///
/// Parsing is pure (over file text) so it can be tested with fixtures; the `current…` functions do the reads and
/// return `nil` where `/proc` is unavailable.
package enum ProcessMetrics {
    /// Resident set size in bytes: the second field of `/proc/self/statm` (pages) times the page size.
    package static func residentMemoryBytes(statm: String, pageSize: Int) -> UInt64? {
        let fields = statm.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 2, let pages = UInt64(fields[1]) else { return nil }
        return pages &* UInt64(pageSize)
    }

    /// Process start time in seconds since the Unix epoch: boot time (`btime` in `/proc/stat`) plus field 22 of
    /// `/proc/self/stat` (`starttime`, clock ticks since boot).
    package static func startTimeSeconds(selfStat: String, procStat: String, ticksPerSecond: Int) -> Double? {
        // The command name (field 2) is in parentheses and may contain spaces: count fields after the last `)`.
        guard let close = selfStat.lastIndex(of: ")") else { return nil }
        let rest = selfStat[selfStat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // rest[0] is field 3 (state), so field 22 is rest[19].
        guard rest.count > 19, let ticks = Double(rest[19]), ticksPerSecond > 0 else { return nil }
        guard let bootLine = procStat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let boot = Double(bootLine.dropFirst("btime ".count).trimmingPrefixSpaces())
        else { return nil }
        return boot + ticks / Double(ticksPerSecond)
    }

    /// The current resident memory, or `nil` when `/proc/self/statm` cannot be read.
    package static func currentResidentMemoryBytes() -> UInt64? {
        #if canImport(Glibc)
            guard let text = ProcFile.read("/proc/self/statm") else { return nil }
            return self.residentMemoryBytes(statm: text, pageSize: Int(sysconf(Int32(_SC_PAGESIZE))))
        #else
            return nil
        #endif
    }

    /// The process start time, or `nil` when `/proc` cannot be read. Constant: read once and keep it.
    package static func currentStartTimeSeconds() -> Double? {
        #if canImport(Glibc)
            guard let selfStat = ProcFile.read("/proc/self/stat"), let procStat = ProcFile.read("/proc/stat") else {
                return nil
            }
            return self.startTimeSeconds(
                selfStat: selfStat, procStat: procStat, ticksPerSecond: Int(sysconf(Int32(_SC_CLK_TCK)))
            )
        #else
            return nil
        #endif
    }
}

extension Substring {
    fileprivate func trimmingPrefixSpaces() -> Substring {
        self.drop(while: { $0 == " " })
    }
}
