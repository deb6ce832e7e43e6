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
import TributaryCore

/// `tributary bench-ingest --shards N --compare-scrapes K`: times, in one process and in turn, a text scrape of one
/// shard holding every series, of the N shards through ``AggregationShards/scrape()`` (the view `/metrics` writes,
/// its merge plan kept from the last scrape), of the same view with its plan made again (as after new series) and
/// of the N shards merged into one store (``AggregationShards/scrapeCopy()``). Taking them in turn keeps their
/// ratios meaningful while the machine's load drifts; the ratios printed are medians of each round's.
enum BenchScrapeComparison {
    static func run(rounds: Int, sharded: AggregationShards, packets: [[UInt8]], mapper: CompiledMapper) {
        let single = AggregationShards(count: 1, mapper: mapper)
        for packet in packets { packet.withUnsafeBytes { single.primary.apply(lines: $0, now: 1) } }
        let view = Self.text { sharded.scrape().writeTextCopy(now: 1) }
        let merged = Self.text { var copy = sharded.scrapeCopy(); return copy.text(now: 1) }
        print("view and merged store write the same bytes: \(view.bytes == merged.bytes)")
        var times: [[Double]] = [[], [], [], []]
        for _ in 0..<rounds {
            times[0].append(Self.text { single.scrape().writeTextCopy(now: 1) }.milliseconds)
            times[1].append(Self.text { sharded.scrape().writeTextCopy(now: 1) }.milliseconds)
            times[2].append(
                Self.text {
                    let stores = sharded.all.map { $0.scrapeCopy().store }
                    var view = MergedSeriesView(stores)
                    var writer = TextWriter()
                    view.visit(&writer, now: 1)
                    return writer.bytes
                }.milliseconds)
            times[3].append(Self.text { var copy = sharded.scrapeCopy(); return copy.text(now: 1) }.milliseconds)
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let ratios = (1...3).map { variant in median(zip(times[variant], times[0]).map { $0 / $1 }) }
        print(
            String(printf: "scrape medians over %d rounds: one shard %.1f ms; %d shards: view %.1f ms = %.2fx, "
                    + "view with its plan made again %.1f ms = %.2fx, merged store %.1f ms = %.2fx",
                rounds, median(times[0]), sharded.all.count, median(times[1]), ratios[0], median(times[2]), ratios[1],
                median(times[3]), ratios[2]))
    }

    /// The bytes `write` returns and the wall-clock milliseconds it took.
    private static func text(_ write: () -> [UInt8]) -> (bytes: [UInt8], milliseconds: Double) {
        var bytes: [UInt8] = []
        let nanoseconds = BenchMappingCommand.measure(operations: 1) { bytes = write() }
        return (bytes, nanoseconds / 1e6)
    }
}

extension AggregationShards.Scrape {
    fileprivate func writeTextCopy(now: UInt64) -> [UInt8] {
        var scrape = self
        var bytes: [UInt8] = []
        scrape.writeText(into: &bytes, now: now)
        return bytes
    }
}

extension ShardState {
    fileprivate mutating func text(now: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        self.writeText(into: &bytes, now: now)
        return bytes
    }
}
