import Benchmark
import TributaryCore

/// Benchmarks of the pure core: parse one line, apply a datagram to a warm shard, write a scrape.
///
/// Datagrams address known series (the shard is warmed first), so the apply benchmarks measure the hot
/// path: parse, hash the raw key, find the cached route, update a value. `mallocCountTotal` per
/// datagram should stay at 0 there.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .instructions],
        warmupIterations: 10,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000
    )

    // MARK: Parse one line

    let taggedCounter = Array("api.requests:1|c|#env:prod,region:eu-west-1,service:checkout".utf8)
    Benchmark("Parse line (counter, 3 DogStatsD tags)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let parser = StatsDLineParser()
        var total = 0.0
        taggedCounter.withUnsafeBytes { line in
            for _ in benchmark.scaledIterations {
                parser.parse(line: line, onSample: { sample, _ in total += sample.value }, onFailure: { _ in })
            }
        }
        blackHole(total)
    }

    // MARK: Apply a datagram of 40 counters to a warm shard with 1000 series

    let counterLines = (0..<1000).map { "http.requests:1|c|#svc:s\(1000 + $0),code:200" }
    let counterDatagrams = Workload.datagrams(of: counterLines, linesPerDatagram: 40)
    let counterShard = AggregationShard()
    Workload.warm(counterShard, with: counterDatagrams)
    Benchmark(
        "Apply datagram (40 counters, \(counterDatagrams[0].count) bytes, 1000 warm series)",
        configuration: .init(scalingFactor: .one)
    ) { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            counterDatagrams[index].withUnsafeBytes { counterShard.apply(lines: $0, now: 0) }
            index = index + 1 == counterDatagrams.count ? 0 : index + 1
        }
    }

    // The same, 1000 datagrams per measurement: per-datagram mallocs without the harness's own.
    Benchmark(
        "Apply datagram x1000 (40 counters, 1000 warm series)",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        var index = 0
        for _ in benchmark.scaledIterations {
            counterDatagrams[index].withUnsafeBytes { counterShard.apply(lines: $0, now: 0) }
            index = index + 1 == counterDatagrams.count ? 0 : index + 1
        }
    }

    // MARK: Partition datagrams over 4 ingest workers (--statsd.ingest-threads), the reader's share of the work

    // 1000 datagrams per measurement, batches handed over (emptied) after each: copying lines into the reused
    // batch buffers must not allocate.
    var partitionBatches = StatsDLinePartition.Batches(shardCount: 4, reservingBytes: 64 * 1024)
    Benchmark(
        "Partition datagram x1000 (40 counters, 4 shards)",
        configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        var index = 0
        var total = 0
        for _ in benchmark.scaledIterations {
            counterDatagrams[index].withUnsafeBytes { partitionBatches.append(datagram: $0) }
            for shard in 0..<4 {
                partitionBatches.exchange(shard: shard) { batch in
                    total &+= batch.count
                    return batch
                }
            }
            index = index + 1 == counterDatagrams.count ? 0 : index + 1
        }
        blackHole(total)
    }

    // Harness overhead: an empty body.
    Benchmark("Noop", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(benchmark) }
    }

    // MARK: Apply a realistic mix: timers with 3 tags, counters, gauges

    let mixLines = (0..<1000).map { index -> String in
        let service = "svc\(index % 25)"
        switch index % 4 {
        case 0, 1:
            return "http.latency:\(index % 250 + 1)|ms|#svc:\(service),route:/r\(index % 40),code:200"
        case 2:
            return "http.requests:1|c|#svc:\(service),route:/r\(index % 40)"
        default:
            return "queue.depth:\(index % 97)|g|#svc:\(service)"
        }
    }
    let mixDatagrams = Workload.datagrams(of: mixLines, linesPerDatagram: 30)
    for (observer, label) in [(ObserverType.summary, "summaries"), (.histogram, "histograms")] {
        let shard = AggregationShard(mapper: Workload.mapper(observer))
        Workload.warm(shard, with: mixDatagrams)
        Benchmark(
            "Apply datagram (mix, timers as \(label), 30 lines, \(mixDatagrams[0].count) bytes)",
            configuration: .init(scalingFactor: .one)
        ) { benchmark in
            var index = 0
            for _ in benchmark.scaledIterations {
                mixDatagrams[index].withUnsafeBytes { shard.apply(lines: $0, now: 0) }
                index = index + 1 == mixDatagrams.count ? 0 : index + 1
            }
        }
    }

    // MARK: JSON feed: lines and batch lines of known series

    jsonFeedBenchmarks()

    // MARK: Write the text exposition of 10 000 series

    let scrapeShard = AggregationShard()
    let scrapeLines = (0..<10_000).map { index -> String in
        switch index % 10 {
        case 0: "jobs.latency:\(index % 300)|ms|#svc:s\(index)"  // 1000 summaries
        case 1, 2: "queue.depth:\(index)|g|#svc:s\(index),zone:z\(index % 3)"
        default: "http.requests:\(index)|c|#svc:s\(index),code:200"
        }
    }
    Workload.warm(scrapeShard, with: Workload.datagrams(of: scrapeLines, linesPerDatagram: 40))
    Benchmark("Write text exposition (10 000 series)", configuration: .init(maxDuration: .seconds(3))) { benchmark in
        var buffer: [UInt8] = []
        buffer.reserveCapacity(2 << 20)
        for _ in benchmark.scaledIterations {
            buffer.removeAll(keepingCapacity: true)
            scrapeShard.writeText(into: &buffer, now: 0)
        }
        blackHole(buffer.count)
    }
}

/// Builds the inputs of the benchmarks.
enum Workload {
    /// Joins `lines` into datagrams of `linesPerDatagram` lines each (the last one may be shorter).
    static func datagrams(of lines: [String], linesPerDatagram: Int) -> [[UInt8]] {
        stride(from: 0, to: lines.count, by: linesPerDatagram).map { start in
            Array(lines[start..<min(start + linesPerDatagram, lines.count)].joined(separator: "\n").utf8)
        }
    }

    /// Applies every datagram once so all series and routes exist.
    static func warm(_ shard: AggregationShard, with datagrams: [[UInt8]]) {
        for datagram in datagrams {
            datagram.withUnsafeBytes { shard.apply(lines: $0, now: 0) }
        }
    }

    static func mapper(_ observer: ObserverType) -> CompiledMapper {
        var mapper = CompiledMapper.empty
        mapper.defaultObserverType = observer
        return mapper
    }
}
