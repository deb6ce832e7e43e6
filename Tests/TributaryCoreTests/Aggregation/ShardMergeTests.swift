import Testing
import TributaryCore

/// Several shards (`--statsd.ingest-threads`) must serve what one shard would for the same lines.
@Suite struct ShardMergeTests {
    /// A mapping that gives many StatsD names one family (so a family spans shards), and two names the very same
    /// series (so one series spans shards).
    private static let mapping = """
        mappings:
          - match: "api.*.requests"
            name: "api_requests_total"
            labels:
              route: "$1"
          - match: "latency.*"
            observer_type: histogram
            histogram_options:
              buckets: [0.01, 0.1, 1]
            name: "latency_seconds"
            labels:
              host: "$1"
          - match: "alias.*.hits"
            name: "hits_total"
        """

    /// Lines of 40 names: counters, absolute gauges, histograms, sets, tags, and duplicates of one series.
    private static let lines: String = {
        var lines: [String] = []
        for round in 0..<5 {
            for route in 0..<12 { lines.append("api.r\(route).requests:\(round + 1)|c|#code:200") }
            for host in 0..<8 { lines.append("latency.h\(host % 4):\(round * 7 + host)|ms") }
            for name in 0..<10 { lines.append("queue.q\(name).depth:\(round * 10 + name)|g") }
            for name in 0..<6 { lines.append("alias.a\(name).hits:\(name + 1)|c") }
            lines.append("users.online:u\(round)|s")
            lines.append("plain.counter:1|c|#env:prod,zone:a")
        }
        return lines.joined(separator: "\n")
    }()

    private func text(_ state: ShardState) -> String {
        var state = state
        return state.text(now: 2)
    }

    /// Applies `lines` to `shards` the way UDP readers hand them to ingest workers.
    private func partitioned(_ lines: String, into shards: AggregationShards) {
        var batches = StatsDLinePartition.Batches(shardCount: shards.all.count)
        Array(lines.utf8).withUnsafeBytes { batches.append(datagram: $0) }
        for (index, shard) in shards.all.enumerated() {
            batches.buffers[index].withUnsafeBytes { shard.apply(lines: $0, now: 1) }
        }
    }

    @Test(arguments: [2, 3, 7])
    func mergedShardsServeWhatOneShardServes(shardCount: Int) throws {
        let mapper = try CompiledMapper.load(yaml: Self.mapping)
        let single = AggregationShards(count: 1, mapper: mapper)
        Array(Self.lines.utf8).withUnsafeBytes { single.primary.apply(lines: $0, now: 1) }
        let sharded = AggregationShards(count: shardCount, mapper: mapper)
        self.partitioned(Self.lines, into: sharded)

        // The lines really were spread: more than one shard holds series, and one family spans shards.
        let populated = sharded.all.filter { $0.snapshot().seriesByKind.values.reduce(0, +) > 0 }
        #expect(populated.count > 1)

        let expected = self.text(single.scrapeCopy())
        #expect(self.text(sharded.scrapeCopy()) == expected)
        #expect(expected.contains("hits_total 105\n"))  // six names, one series: 5 × (1 + … + 6)
        #expect(sharded.scrapeCopy().counts.samples == single.scrapeCopy().counts.samples)
        #expect(sharded.scrapeCopy().counts.lines == 190)
    }

    @Test func duplicateSeriesCombinePerType() throws {
        let mapper = try CompiledMapper.load(yaml: "defaults:\n  observer_type: histogram\nmappings: []\n")
        let shards = AggregationShards(count: 2, mapper: mapper)
        Array("c:2|c\ng:5|g\nh:1|h\n".utf8).withUnsafeBytes { shards.all[0].apply(lines: $0, now: 1) }
        Array("c:3|c\ng:7|g\nh:2|h\n".utf8).withUnsafeBytes { shards.all[1].apply(lines: $0, now: 5) }
        let text = self.text(shards.scrapeCopy())
        #expect(text.contains("\nc 5\n"))  // counters add
        #expect(text.contains("\ng 7\n"))  // the later gauge wins
        #expect(text.contains("\nh_count 2\n"))
        #expect(text.contains("\nh_sum 3\n"))
        #expect(text.contains("\nh_bucket{le=\"1\"} 1\n"))
        #expect(text.contains("\nh_bucket{le=\"2.5\"} 2\n"))
    }

    @Test func duplicateSummaryTakesTheLaterShard() throws {
        let shards = AggregationShards(count: 2)
        Array("s:1|ms\n".utf8).withUnsafeBytes { shards.all[0].apply(lines: $0, now: 9) }
        Array("s:2|ms\ns:4|ms\n".utf8).withUnsafeBytes { shards.all[1].apply(lines: $0, now: 1) }
        #expect(self.text(shards.scrapeCopy()).contains("\ns_count 1\n"))
    }

    @Test func typeConflictAcrossShardsKeepsOneFamily() throws {
        let shards = AggregationShards(count: 2)
        Array("x:1|c\ny:1|ms\n".utf8).withUnsafeBytes { shards.all[0].apply(lines: $0, now: 1) }
        Array("x:4|g\ny_sum:9|g\n".utf8).withUnsafeBytes { shards.all[1].apply(lines: $0, now: 1) }
        let text = self.text(shards.scrapeCopy())
        #expect(text.contains("# TYPE x counter\nx 1\n"))
        #expect(!text.contains("x 4"))
        #expect(!text.contains("y_sum 9"))  // collides with the summary y's y_sum
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE x ") }.count == 1)
    }

    @Test func maxSeriesIsSplitBetweenShards() throws {
        let settings = AggregationSettings(limits: SeriesLimits(maxSeries: 10))
        let shards = AggregationShards(count: 3, settings: settings)
        for shard in shards.all { #expect(shard.withState { $0.settings.limits.maxSeries } == 4) }
    }

    @Test func unmappedNamesMerge() throws {
        let shards = AggregationShards(count: 2)
        Array("a.b:1|c\n".utf8).withUnsafeBytes { shards.all[0].apply(lines: $0, now: 1) }
        Array("a.b:1|c\nc.d:1|c\n".utf8).withUnsafeBytes { shards.all[1].apply(lines: $0, now: 1) }
        let names = shards.unmappedNames().entries
        #expect(names.map(\.name).sorted() == ["a.b", "c.d"])
        #expect(names.first { $0.name == "a.b" }?.samples == 2)
    }
}

@Suite struct StatsDLinePartitionTests {
    private func shard(_ line: String, of count: Int) -> Int {
        Array(line.utf8).withUnsafeBytes { StatsDLinePartition.shard(of: $0, shardCount: count) }
    }

    @Test func everyLineOfANameGoesToOneShard() {
        for count in [2, 3, 8] {
            let name = "checkout.latency"
            let expected = self.shard("\(name):1|c", of: count)
            for line in [
                "\(name):5|ms|@0.1", "\(name):1|c|#route:/a,code:200", "\(name),host=a:1|c", "\(name);host=a:1|c",
                "\(name)#host=a:1|c", "\(name)[host=a]:1|c",
            ] {
                #expect(self.shard(line, of: count) == expected, "\(line)")
            }
        }
    }

    @Test func namesSpreadOverShards() {
        let shards = Set((0..<200).map { self.shard("metric.\($0):1|c", of: 4) })
        #expect(shards == [0, 1, 2, 3])
    }

    @Test func batchesKeepEveryLineInOrder() {
        var batches = StatsDLinePartition.Batches(shardCount: 3)
        let lines = (0..<300).map { "m\($0 % 17):\($0)|c" }
        Array((lines.joined(separator: "\r\n") + "\n\n").utf8).withUnsafeBytes { batches.append(datagram: $0) }
        let rejoined = batches.buffers.flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\n").map(String.init) }
        #expect(rejoined.sorted() == lines.sorted())
        for buffer in batches.buffers {
            let own = String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init)
            #expect(own == lines.filter { own.contains($0) })  // arrival order within a shard
        }
    }
}
