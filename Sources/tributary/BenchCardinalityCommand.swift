import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TributaryCore

/// `tributary bench-cardinality` (hidden): how long `GET /api/v1/cardinality` takes to compute its report over many
/// series, in process (scrape copy, ranking, label census), without HTTP.
///
///     tributary bench-cardinality --series 1000000 --metrics 100 --limit 10
struct BenchCardinalityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary bench-cardinality",
        abstract: "Measure the cardinality report over N series (ms).",
        shouldDisplay: false
    )

    @Option(help: "Live series to create.")
    var series = 1_000_000

    @Option(help: "Metric names they are spread over (the first one holds half of them).")
    var metrics = 100

    @Option(help: "Metric names in the report.")
    var limit = 10

    @Option(help: "Reports timed.")
    var rounds = 5

    func run() throws {
        let shards = AggregationShards()
        var packet: [UInt8] = []
        for index in 0..<self.series {
            // Half the series in metric 0 (a leaked id), the rest spread evenly.
            let metric = index % 2 == 0 ? 0 : 1 + (index / 2) % max(1, self.metrics - 1)
            if !packet.isEmpty { packet.append(UInt8(ascii: "\n")) }
            packet.append(
                contentsOf: "bench.metric\(metric):1|c|#user_id:u\(index),env:e\(index % 3),code:\(index % 5)".utf8)
            if index % 50 == 49 {
                packet.withUnsafeBytes { shards.primary.apply(lines: $0, now: 1) }
                packet.removeAll(keepingCapacity: true)
            }
        }
        if !packet.isEmpty { packet.withUnsafeBytes { shards.primary.apply(lines: $0, now: 1) } }
        var times: [Double] = []
        var report: CardinalityReport?
        for _ in 0..<max(1, self.rounds) {
            let nanoseconds = BenchMappingCommand.measure(operations: 1) {
                report = shards.cardinalityReport(limit: self.limit)
            }
            times.append(nanoseconds / 1e6)
        }
        times.sort()
        guard let report else { return }
        print(
            String(
                printf: "cardinality report over %d series in %d metric names (top %d): "
                    + "%.1f ms fastest, %.1f ms median",
                report.totalSeries, report.metricNames, report.metrics.count, times[0], times[times.count / 2]))
        if let first = report.metrics.first {
            let labels = first.labels.map { "\($0.name)=\($0.distinctValues)" }.joined(separator: " ")
            print("largest: \(first.name) \(first.series) series, labels \(labels)")
        }
    }
}
