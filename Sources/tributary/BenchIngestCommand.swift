import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TributaryCore
import TributaryServer

/// `tributary bench-ingest` (hidden): the in-process cost per StatsD line of a recorded workload — parse, route
/// cache, aggregation — without sockets, so it can run under `valgrind --tool=callgrind` for instruction counts
/// that do not depend on what else the machine is doing.
///
/// The datagrams come from statsd-blast's `--print`, e.g. the realistic mix:
///
///     statsd-blast -n 70000 -s 10000 -m c=25,g=25,ms=50 -k 3 --print 100000 --dry-run 2>mix.txt
///     tributary bench-ingest --datagrams mix.txt --mapping docs/bench/mapping-100-rules.yml --rounds 20
///
/// `--ingest-threads N` replays them as the server does with `--statsd.ingest-threads N` instead (see
/// ``BenchIngestThreads``): wall-clock time with real worker threads, for 1 versus N threads.
struct BenchIngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary bench-ingest",
        abstract: "Measure in-process ingest cost per line of statsd-blast datagrams (ns/line).",
        shouldDisplay: false
    )

    @Option(help: "statsd-blast --print output: packets after '--- packet' headers.")
    var datagrams: String

    @Option(help: "Mapping file (statsd_exporter YAML).")
    var mapping: String?

    @Option(help: "Times every datagram is applied after the warm-up pass.")
    var rounds = 20

    @Option(help: "Text scrapes timed after ingest (each from a fresh scrape copy, merged over the shards).")
    var scrapes = 0

    @Option(help: "Shards the lines are partitioned over (as with --statsd.ingest-threads), applied in turn.")
    var shards = 1

    @Option(help: "With --shards N: rounds of three text scrapes in turn (one shard, N shards as /metrics, N merged).")
    var compareScrapes = 0

    @Option(help: "Replay as the server does with --statsd.ingest-threads N: a reader thread and N workers (wall clock).")
    var ingestThreads: Int?

    @Option(help: "With --ingest-threads: datagrams per read burst (--statsd.udp-batch-size).")
    var readBurst = 32

    func run() throws {
        let packets = try Self.packets(fromPrint: String(contentsOfFile: self.datagrams, encoding: .utf8))
        let mapper = try self.mapping.map { try CompiledMapper.load(yaml: String(contentsOfFile: $0, encoding: .utf8)) } ?? .empty
        if let threads = self.ingestThreads {
            guard threads >= 1 else { throw ValidationError("--ingest-threads must be at least 1") }
            let bench = BenchIngestThreads(
                packets: packets, mapper: mapper, threads: threads, readBurst: max(1, self.readBurst))
            let shards = bench.run(rounds: self.rounds)
            if self.scrapes > 0 { Self.timeScrapes(self.scrapes, of: shards) }
            return
        }
        let shards = AggregationShards(count: self.shards, mapper: mapper)
        var batches = StatsDLinePartition.Batches(shardCount: self.shards)
        func applyAll(now: UInt64) {
            for packet in packets {
                if self.shards == 1 {
                    packet.withUnsafeBytes { shards.primary.apply(lines: $0, now: now) }
                    continue
                }
                packet.withUnsafeBytes { batches.append(datagram: $0) }
                for (index, shard) in shards.all.enumerated() {
                    batches.exchange(shard: index) { batch in
                        batch.withUnsafeBytes { shard.apply(lines: $0, now: now) }
                        return batch
                    }
                }
            }
        }
        applyAll(now: 1)  // warm-up: every series is created
        let linesPerRound = Int(shards.scrapeCopy().counts.lines)
        let perLine = BenchMappingCommand.measure(operations: self.rounds * linesPerRound) {
            for round in 0..<self.rounds { applyAll(now: UInt64(round + 2)) }
        }
        let lines = Int(shards.scrapeCopy().counts.lines) - linesPerRound
        precondition(lines == self.rounds * linesPerRound, "not every line was applied")
        print(String(printf: "%d datagrams, %d lines, %.1f ns/line", packets.count, lines, perLine))
        if self.scrapes > 0 { Self.timeScrapes(self.scrapes, of: shards) }
        if self.compareScrapes > 0 {
            BenchScrapeComparison.run(rounds: self.compareScrapes, sharded: shards, packets: packets, mapper: mapper)
        }
    }

    /// Writes `count` text scrapes and prints the fastest and the median (ms) and the size.
    static func timeScrapes(_ count: Int, of shards: AggregationShards) {
        var times: [Double] = []
        var size = 0
        for _ in 0..<count {
            let nanoseconds = BenchMappingCommand.measure(operations: 1) {
                var state = shards.scrape()
                var bytes: [UInt8] = []
                bytes.reserveCapacity(size + 4096)
                state.writeText(into: &bytes, now: 1)
                size = bytes.count
            }
            times.append(nanoseconds / 1e6)
        }
        times.sort()
        let series = shards.scrape().seriesCountByKind.values.reduce(0, +)
        print(String(printf: "scrape of %d series: %.1f ms fastest, %.1f ms median, %d bytes", series, times[0], times[times.count / 2], size))
    }

    /// The packets of statsd-blast's `--print` output: the lines between `--- packet` headers.
    static func packets(fromPrint text: String) -> [[UInt8]] {
        var packets: [[UInt8]] = []
        var current: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("--- packet") {
                if !current.isEmpty { packets.append(Array(current.joined(separator: "\n").utf8)) }
                current = []
            } else if line.hasPrefix("statsd-blast:") || line.isEmpty {
                continue
            } else {
                current.append(String(line))
            }
        }
        if !current.isEmpty { packets.append(Array(current.joined(separator: "\n").utf8)) }
        return packets
    }
}
