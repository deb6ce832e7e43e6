import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import TributaryCore
import TributaryServer

/// `tributary bench-snapshot` (hidden): what a state snapshot (`--storage.path`) costs at N series.
///
/// For each N it fills one shard with a mix like a service's metrics — 70 % counters with two labels, 20 % gauges,
/// 10 % histograms (the default buckets), in a few families with many label sets each — then measures,
/// single-threaded:
/// - `copy+encode`: the scrape copy and ``SnapshotWriter/encode(_:now:wallClockSeconds:capacity:)``;
/// - `write`: ``SnapshotFile/replace(with:)`` into `--directory` (temporary file, fsync, rename, fsync);
/// - `restore`: ``SnapshotReader/restore(_:into:now:wallClockSeconds:verifyChecksums:)`` into an empty shard;
/// - `ingest ns/line`: the same lines applied again (known series) for `--ingest-seconds`, alone and while another
///   thread writes snapshots back to back (the copy-on-write copies land on the ingest thread).
///
/// Run it in release mode: `swift run -c release tributary bench-snapshot --series 100000,1000000`.
struct BenchSnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary bench-snapshot",
        abstract: "Measure the cost of a state snapshot at N series (ms, bytes per series).",
        shouldDisplay: false
    )

    @Option(help: "Comma-separated series counts.")
    var series = "100000"

    @Option(help: "Directory the snapshot is written to (a temporary one by default).")
    var directory: String?

    @Option(help: "Seconds of ingest measured alone and during snapshot writes (0 skips).")
    var ingestSeconds = 2.0

    func run() async throws {
        let counts = self.series.split(separator: ",").compactMap { Int($0.trimmingWhitespace()) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--series needs positive integers") }
        let directory = self.directory ?? (getenv("TMPDIR").map { String(cString: $0) + "/" } ?? "/tmp/") + "tributary-bench-snapshot-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = SnapshotFile(directory: directory)
        let mapper = try CompiledMapper.load(yaml: "defaults:\n  observer_type: histogram\n")
        print("series     bytes   bytes/series   copy+encode ms   write ms   restore ms   ingest ns/line: alone, writing")
        for count in counts {
            let shard = AggregationShard(mapper: mapper)
            let datagrams = Self.datagrams(series: count)
            for datagram in datagrams { datagram.withUnsafeBytes { shard.apply(lines: $0, now: 1) } }
            let now: UInt64 = 10_000_000_000
            var bytes: [UInt8] = []
            let encode = Self.milliseconds {
                bytes = SnapshotWriter.encode([shard.scrapeCopy()], now: now, wallClockSeconds: 1_700_000_000)
            }
            let write = try Self.milliseconds { try file.replace(with: bytes) }
            let target = AggregationShard(mapper: mapper)
            var report = SnapshotRestoreReport()
            let restore = Self.milliseconds {
                report = SnapshotReader.restore(bytes, into: [target], now: now, wallClockSeconds: 1_700_000_001)
            }
            guard report.restoredSeries == shard.withState({ $0.liveSeriesCount }), !report.droppedAnything else {
                throw ValidationError("restore mismatch: \(report.summary)")
            }
            var ingest = ""
            if self.ingestSeconds > 0 {
                let alone = Self.ingest(datagrams, into: shard, seconds: self.ingestSeconds)
                let writer = BackgroundWriter()
                DetachedThread.start {
                    while !writer.stop.load(ordering: .relaxed) {
                        let bytes = SnapshotWriter.encode([shard.scrapeCopy()], now: now, wallClockSeconds: 1_700_000_000)
                        try? file.replace(with: bytes)
                        writer.writes.add(1, ordering: .relaxed)
                    }
                    writer.finished.store(true, ordering: .releasing)
                }
                let writing = Self.ingest(datagrams, into: shard, seconds: self.ingestSeconds)
                writer.stop.store(true, ordering: .relaxed)
                while !writer.finished.load(ordering: .acquiring) { usleep(1000) }
                ingest = String(printf: "   %8.1f, %.1f (%d writes)", alone, writing, writer.writes.load(ordering: .relaxed))
            }
            print(
                String(printf: "%-8d", count)
                    + String(
                        printf: "%10d %14.1f %16.1f %10.1f %12.1f", bytes.count, Double(bytes.count) / Double(count),
                        encode, write, restore) + ingest)
        }
        try? FileManager.default.removeItem(atPath: directory + "/" + SnapshotFile.fileName)
    }

    /// Datagrams of `series` series: counters `app.requests` with `route` and `code` labels, gauges
    /// `app.pool.size` by `pool`, timers `app.latency` (histograms) by `route`.
    static func datagrams(series: Int) -> [[UInt8]] {
        var datagrams: [[UInt8]] = []
        var datagram: [UInt8] = []
        for index in 0..<series {
            let line: String
            switch index % 10 {
            case 0: line = "app.latency:\(index % 97)|ms|#route:/api/v1/items/\(index),code:200"
            case 1, 2: line = "app.pool.size:\(index % 15)|g|#pool:db\(index)"
            default: line = "app.requests:1|c|#route:/api/v1/items/\(index),code:\(200 + index % 5)"
            }
            if datagram.count + line.utf8.count > 1400 {
                datagrams.append(datagram)
                datagram = []
            }
            if !datagram.isEmpty { datagram.append(UInt8(ascii: "\n")) }
            datagram += Array(line.utf8)
        }
        datagrams.append(datagram)
        return datagrams
    }

    /// Applies `datagrams` to `shard` in passes for about `seconds`; returns ns per line.
    static func ingest(_ datagrams: [[UInt8]], into shard: AggregationShard, seconds: Double) -> Double {
        let lines = datagrams.reduce(0) { $0 + $1.count { $0 == UInt8(ascii: "\n") } + 1 }
        let start = ContinuousClock.now
        var passes = 0
        repeat {
            for datagram in datagrams { datagram.withUnsafeBytes { shard.apply(lines: $0, now: 2) } }
            passes += 1
        } while Self.seconds(ContinuousClock.now - start) < seconds
        return Self.seconds(ContinuousClock.now - start) * 1e9 / Double(passes * lines)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func milliseconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15
    }
}

/// Flags shared with the snapshot-writing thread of ``BenchSnapshotCommand``.
private final class BackgroundWriter: Sendable {
    let stop = Atomic<Bool>(false)
    let finished = Atomic<Bool>(false)
    let writes = Atomic<Int>(0)
}
