import Testing
import TributaryCore

/// A scrape over several shards (``AggregationShards/scrape()``, no merged store) must write exactly what merging
/// the shards into one store (``AggregationShards/scrapeCopy()``) writes, and what one shard writes for the same
/// lines when they are spread by name.
@Suite struct MergedSeriesViewTests {
    /// Names that map to shared families (`api.*` → one family), histograms, summaries and names that collide with
    /// their `_sum`/`_count`/`_bucket` series.
    private static let mapping = """
        mappings:
          - match: "api.*.requests"
            name: "api_requests_total"
            labels:
              route: "$1"
          - match: "lat.*"
            observer_type: histogram
            histogram_options:
              buckets: [0.01, 0.1, 1]
            name: "lat_seconds"
            labels:
              host: "$1"
          - match: "alias.*.hits"
            name: "hits_total"
        """

    private static let names = [
        "api.a.requests", "api.b.requests", "api.c.requests", "lat.h1", "lat.h2", "alias.x.hits", "alias.y.hits",
        "q", "q_sum", "q_count", "r", "r_bucket", "lat_seconds_sum", "s", "t.u", "v", "w", "hits_total",
    ]
    private static let types = ["c", "g", "ms", "h", "s", "d"]

    /// `count` random StatsD lines (seeded, ``SplitMix64``): random names, values and tags, and random types unless
    /// `typed` (then each name keeps one type, names sharing a family are counters or histograms, and no name collides
    /// with another's `_sum`/`_count`/`_bucket`: the input one shard and several serve alike).
    private static func lines(count: Int, seed: UInt64, typed: Bool = false) -> [String] {
        var random = SplitMix64(seed: seed)
        let colliding: Set = ["q_sum", "q_count", "r_bucket", "lat_seconds_sum", "hits_total"]
        let names = typed ? Self.names.filter { !colliding.contains($0) } : Self.names
        return (0..<count).map { _ in
            let index = Int.random(in: 0..<names.count, using: &random)
            let name = names[index]
            let type: String
            if !typed {
                type = Self.types[Int.random(in: 0..<Self.types.count, using: &random)]
            } else if name.hasPrefix("api.") || name.hasPrefix("alias.") {
                type = "c"
            } else {
                type = name.hasPrefix("lat.") ? "ms" : Self.types[index % Self.types.count]
            }
            let number = Int.random(in: 0..<100, using: &random)
            let value = type == "s" ? "m\(number % 5)" : "\(number)"
            let tags = ["", "|#env:a", "|#env:b", "|#env:a,zone:z"][Int.random(in: 0..<4, using: &random)]
            return "\(name):\(value)|\(type)\(tags)"
        }
    }

    private func openMetrics(_ scrape: AggregationShards.Scrape) -> [UInt8] {
        var scrape = scrape
        var writer = OpenMetricsWriter()
        scrape.visit(&writer, now: 50)
        return writer.finish()
    }

    private func openMetrics(_ state: ShardState) -> [UInt8] {
        var state = state
        var writer = OpenMetricsWriter()
        state.visit(&writer, now: 50)
        return writer.finish()
    }

    /// Lines spread by name, as the UDP readers spread them: the view writes what one shard writes.
    @Test(arguments: [2, 3, 5])
    func spreadByNameWritesWhatOneShardWrites(shardCount: Int) throws {
        let mapper = try CompiledMapper.load(yaml: Self.mapping)
        for seed in UInt64(1)...8 {
            let lines = Self.lines(count: 400, seed: seed, typed: true)
            let single = AggregationShards(count: 1, mapper: mapper)
            let sharded = AggregationShards(count: shardCount, mapper: mapper)
            for (index, line) in lines.enumerated() {
                Array(line.utf8).withUnsafeBytes { bytes in
                    single.primary.apply(lines: bytes, now: UInt64(index + 1))
                    let shard = StatsDLinePartition.shard(of: bytes, shardCount: shardCount)
                    sharded.all[shard].apply(lines: bytes, now: UInt64(index + 1))
                }
            }
            #expect(sharded.all.filter { $0.snapshot().counts.lines > 0 }.count > 1)
            let expected = textOf(single.scrapeCopy())
            #expect(textOf(sharded.scrape()) == expected, "seed \(seed)")
            #expect(sharded.scrape().seriesCountByKind == single.scrapeCopy().seriesCountByKind, "seed \(seed)")
            #expect(sharded.scrape().counts.lines == 400)
        }
    }

    /// Lines sent to random shards (one name in several shards, with other types, colliding suffixes, the same
    /// series twice): the view takes every decision the merged store takes.
    @Test(arguments: [2, 3, 4])
    func randomShardsWriteWhatTheMergedStoreWrites(shardCount: Int) throws {
        let mapper = try CompiledMapper.load(yaml: Self.mapping)
        for seed in UInt64(1)...12 {
            var random = SplitMix64(seed: seed &* 7919)
            let shards = AggregationShards(count: shardCount, mapper: mapper)
            for (index, line) in Self.lines(count: 300, seed: seed).enumerated() {
                let shard = shards.all[Int.random(in: 0..<shardCount, using: &random)]
                Array(line.utf8).withUnsafeBytes { shard.apply(lines: $0, now: UInt64(index + 1)) }
            }
            let merged = shards.scrapeCopy()
            #expect(textOf(shards.scrape()) == textOf(merged), "seed \(seed)")
            #expect(self.openMetrics(shards.scrape()) == self.openMetrics(merged), "seed \(seed)")
            #expect(shards.scrape().seriesCountByKind == merged.seriesCountByKind, "seed \(seed)")
        }
    }

    /// The cases the random lines may miss, spelled out: a type conflict, a summary's `_sum` in another shard, a
    /// histogram whose `_bucket` name another shard took, and a family one shard created but holds no series of.
    @Test func conflictsAcrossShardsAreLeftOutAsTheMergedStoreLeavesThem() throws {
        let shards = AggregationShards(count: 3)
        Array("x:1|c\ny:1|ms\nz_bucket:2|g\n".utf8).withUnsafeBytes { shards.all[0].apply(lines: $0, now: 1) }
        Array("x:4|g\ny_sum:9|g\nz:1|h\n".utf8).withUnsafeBytes { shards.all[1].apply(lines: $0, now: 2) }
        Array("y_count:3|c\nx:2|c\nw:1|c\n".utf8).withUnsafeBytes { shards.all[2].apply(lines: $0, now: 3) }
        let text = textOf(shards.scrape())
        #expect(text == textOf(shards.scrapeCopy()))
        #expect(text.contains("# TYPE x counter\nx 3\n"))
        #expect(!text.contains("y_sum 9") && !text.contains("y_count 3"))
        #expect(text.contains("\nw 1\n"))
    }
}

/// The merge plan a scrape keeps for the next one must follow every change of the shards' families.
@Suite struct MergePlanReuseTests {
    /// Scrapes between new families, new series of a family another shard holds, series that expire (leaving a
    /// family empty) and series that come back: each equals the merged store's.
    @Test func aKeptPlanFollowsNewFamiliesSeriesAndExpiry() throws {
        let mapper = try CompiledMapper.load(yaml: "defaults:\n  ttl: 10s\nmappings: []\n")
        let shards = AggregationShards(count: 2, mapper: mapper)
        func apply(_ shard: Int, _ lines: String, now seconds: UInt64) {
            Array(lines.utf8).withUnsafeBytes { shards.all[shard].apply(lines: $0, now: seconds * 1_000_000_000) }
        }
        func check(_ step: String) {
            #expect(textOf(shards.scrape()) == textOf(shards.scrapeCopy()), "\(step)")
        }
        apply(0, "a:1|c\nb:2|g\n", now: 1)
        apply(1, "c:3|c\n", now: 1)
        check("first plan")
        check("plan kept")
        apply(1, "a:5|c\n", now: 2)  // `a` now in both shards
        check("a family another shard holds")
        #expect(textOf(shards.scrape()).contains("\na 6\n"))
        apply(1, "a:1|c|#k:v\nd_sum:1|c\n", now: 3)
        apply(0, "d:1|ms\n", now: 3)  // a summary whose _sum the other shard holds
        check("new series and a collision")
        #expect(!textOf(shards.scrape()).contains("d_sum 1"))
        shards.all[0].expire(now: 12_500_000_000)  // shard 0's a, b (t=1) and d (t=3, kept) age out
        check("expiry")
        #expect(textOf(shards.scrape()).contains("\na 5\n"))
        shards.all[0].expire(now: 14_000_000_000)  // d expires; its empty family still holds the name
        check("the colliding family empty")
        #expect(!textOf(shards.scrape()).contains("d_sum 1"))
        apply(0, "b:7|g\n", now: 15)  // back in an empty family
        check("a family filled again")
        #expect(textOf(shards.scrape()).contains("\nb 7\n"))
    }
}

/// The text exposition of a scrape over several shards, as the tests here compare it.
private func textOf(_ scrape: AggregationShards.Scrape) -> String {
    var scrape = scrape
    var bytes: [UInt8] = []
    scrape.writeText(into: &bytes, now: 50)
    return String(decoding: bytes, as: UTF8.self)
}

/// The text exposition of one shard's state (the merged store, or a single shard).
private func textOf(_ state: ShardState) -> String {
    var state = state
    return state.text(now: 50)
}
