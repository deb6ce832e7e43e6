import Testing

@testable import TributaryCore

struct HistogramStateTests {
    @Test
    func putsObservationsInTheFirstBucketWhoseBoundIsNotBelowThem() {
        var state = HistogramState(bounds: [1, 2, 5])
        for value in [0.5, 1, 1.5, 2, 4.9, 5, 5.1, 1e9, -3] { state.observe(value, weight: 1) }
        #expect(state.counts == [3, 2, 2, 2])
        #expect(state.count == 9)
    }

    @Test
    func weighsObservations() {
        var state = HistogramState(bounds: [1])
        state.observe(0.5, weight: 4)
        state.observe(2, weight: 0.5)
        #expect(state.counts == [4, 0.5])
        #expect(state.sum == 3)
        #expect(state.count == 4.5)
    }

    /// What an observation reads stays within one cache line of the value column.
    @Test
    func aHistogramSeriesIsSixWords() {
        #expect(MemoryLayout<HistogramState>.stride == 48)
    }

    @Test
    func sendsNaNToTheInfBucket() {
        var state = HistogramState(bounds: [1, 2])
        state.observe(.nan, weight: 1)
        #expect(state.counts == [0, 0, 1])
        #expect(state.sum.isNaN)
    }

    /// The branch-free count (up to 16 bounds) and the binary search (more) give the first bound `value <= bound`,
    /// as a plain linear scan does: on the bounds themselves, between them, beyond both ends, at ±0, ±Inf and NaN.
    @Test(arguments: [1, 2, 10, 16, 17, 40])
    func findsTheBucketAsALinearScanWould(boundCount: Int) {
        let bounds = (0..<boundCount).map { Double($0) * 0.5 - 3 }
        func linear(_ value: Double) -> Int {
            var index = 0
            while index < bounds.count && !(value <= bounds[index]) { index += 1 }
            return index
        }
        var values: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, -1e300, 1e300]
        for bound in bounds { values += [bound, bound.nextDown, bound.nextUp, bound + 0.25] }
        for value in values {
            #expect(HistogramState.bucketIndex(value, bounds: bounds) == linear(value), "value \(value)")
        }
    }
}

struct SummaryStateTests {
    static let options = SummaryOptions.statsdExporterDefault
    static let objectives = options.objectives

    @Test
    func returnsNaNQuantilesWhenEmpty() {
        var state = SummaryState(options: Self.options, now: 0)
        #expect(state.quantiles(Self.objectives, now: 0).allSatisfy { $0.isNaN })
        #expect(state.count == 0)
    }

    @Test
    func usesNearestRankOnExactWindows() {
        var state = SummaryState(options: Self.options, now: 0)
        for value in [3.0, 1, 2] { state.observe(value, weight: 1, now: 0) }
        #expect(state.quantiles(Self.objectives, now: 0) == [2, 3, 3])
        let low = [SummaryObjective(quantile: 0, error: 0), SummaryObjective(quantile: 0.01, error: 0)]
        #expect(state.quantiles(low, now: 0) == [1, 1])
    }

    @Test
    func weighsSampledObservations() {
        var state = SummaryState(options: Self.options, now: 0)
        state.observe(1, weight: 9, now: 0)
        state.observe(100, weight: 1, now: 0)
        #expect(state.quantiles(Self.objectives, now: 0) == [1, 1, 100])
        #expect(state.count == 10)
        #expect(state.sum == 109)
    }

    /// Unit weights are not stored until a sampled observation arrives; then the earlier ones count as 1 each.
    @Test
    func weighsASampledObservationAfterUnsampledOnes() {
        var state = SummaryState(options: Self.options, now: 0)
        state.observe(100, weight: 1, now: 0)
        state.observe(100, weight: 1, now: 0)
        state.observe(1, weight: 8, now: 0)
        #expect(state.quantiles(Self.objectives, now: 0) == [1, 100, 100])
        #expect(state.count == 10)
    }

    @Test
    func slidesTheWindowSliceBySlice() {
        // 600 s over 5 slices of 120 s.
        var state = SummaryState(options: Self.options, now: 0)
        state.observe(1, weight: 1, now: 0)
        state.observe(100, weight: 1, now: 130 * second)
        #expect(state.quantiles(Self.objectives, now: 599 * second) == [1, 100, 100])
        #expect(state.quantiles(Self.objectives, now: 600 * second) == [100, 100, 100])
        #expect(state.quantiles(Self.objectives, now: 720 * second).allSatisfy { $0.isNaN })
        #expect(state.count == 2)
        // Long idle gaps realign the ring.
        state.observe(7, weight: 1, now: 100_000 * second)
        #expect(state.quantiles(Self.objectives, now: 100_001 * second) == [7, 7, 7])
    }

    @Test
    func staysWithinOnePercentPastTheBuffer() {
        var state = SummaryState(options: Self.options, now: 0)
        var generator = SplitMix64(seed: 7)
        var values: [Double] = []
        for _ in 0..<3000 {
            let value = Double.random(in: 0.001...10, using: &generator)
            values.append(value)
            state.observe(value, weight: 1, now: 0)
        }
        values.sort()
        let estimates = state.quantiles(Self.objectives, now: 0)
        for (objective, estimate) in zip(Self.objectives, estimates) {
            let exact = values[Int((objective.quantile * Double(values.count)).rounded(.up)) - 1]
            #expect(abs(estimate - exact) / exact < 0.01, "q=\(objective.quantile)")
        }
    }
}

struct LogSketchTests {
    @Test
    func handlesNegativeZeroAndPositiveValues() {
        var sketch = LogSketch()
        for value in [-10.0, -1, 0, 0, 1, 10] { sketch.add(value, weight: 1) }
        #expect(abs(sketch.quantile(0.1) - -10) < 0.1)
        #expect(sketch.quantile(0.5) == 0)
        #expect(abs(sketch.quantile(1) - 10) < 0.1)
        #expect(LogSketch().quantile(0.5).isNaN)
    }

    @Test
    func mergesByAddingWeights() {
        var a = LogSketch()
        var b = LogSketch()
        for value in 1...50 { a.add(Double(value), weight: 1) }
        for value in 51...100 { b.add(Double(value), weight: 1) }
        a.merge(b)
        #expect(a.totalWeight == 100)
        #expect(abs(a.quantile(0.5) - 50) / 50 < 0.01)
    }
}

struct SetStateTests {
    @Test
    func reportsRunningCountInTheFirstWindowThenTheLastCompletedOne() {
        var state = SetState(windowNanos: 10 * second, now: 0)
        state.add(memberHash: 1, now: 0)
        state.add(memberHash: 2, now: 1)
        state.add(memberHash: 1, now: 2)
        #expect(state.value(now: 3) == 2)
        state.add(memberHash: 3, now: 10 * second)
        #expect(state.value(now: 11 * second) == 2)
        #expect(state.value(now: 20 * second) == 1)
        #expect(state.value(now: 35 * second) == 0)
    }
}

struct RawKeyTableTests {
    @Test
    func findsInsertedKeysAndGrows() {
        var table = RawKeyTable<Int32>(capacity: 4)
        func withKey<R>(_ key: String, _ body: (UnsafeRawBufferPointer, UInt64) -> R) -> R {
            var bytes = Array(key.utf8)
            return bytes.withUnsafeMutableBytes { raw in
                let raw = UnsafeRawBufferPointer(raw)
                return body(raw, RawKey.hash(raw))
            }
        }
        for index in 0..<1000 {
            withKey("key-\(index)") { table.insert($0, hash: $1, value: Int32(index)) }
        }
        withKey("") { table.insert($0, hash: $1, value: -1) }
        #expect(table.count == 1001)
        for index in 0..<1000 {
            #expect(withKey("key-\(index)") { table.find($0, hash: $1) } == Int32(index))
        }
        #expect(withKey("") { table.find($0, hash: $1) } == -1)
        #expect(withKey("key-1000") { table.find($0, hash: $1) } == nil)
        table.removeAll()
        #expect(table.count == 0)
        #expect(withKey("key-1") { table.find($0, hash: $1) } == nil)
    }

    /// The loads that read a key's last bytes build what a byte loop builds, for every length and start, so hashes
    /// (set members' among them, kept in snapshots) are what they were before.
    @Test
    func tailLoadsMatchAByteLoop() {
        let bytes: [UInt8] = (0..<40).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for count in 0...bytes.count {
            bytes.withUnsafeBytes { all in
                let key = UnsafeRawBufferPointer(rebasing: all[0..<count])
                for start in stride(from: 0, through: count, by: 8) where count - start < 8 {
                    var expected: UInt64 = 0
                    for (shift, index) in (start..<count).enumerated() { expected |= UInt64(key[index]) << (8 * shift) }
                    #expect(RawKey.tail(key, from: start) == expected, "count \(count) start \(start)")
                }
            }
        }
    }

    @Test
    func hashesDependOnEveryByte() {
        func hash(_ key: String) -> UInt64 {
            var bytes = Array(key.utf8)
            return bytes.withUnsafeMutableBytes { RawKey.hash(UnsafeRawBufferPointer($0)) }
        }
        #expect(hash("abcdefgh1") != hash("abcdefgh2"))
        #expect(hash("1abcdefgh") != hash("2abcdefgh"))
        #expect(hash("a") != hash("a\0"))
        #expect(hash("") != hash("\0"))
    }

    /// Segmented keys (type, name, tags read in place from a line) find exactly what was inserted under the same
    /// parts: a different type, name, tags, or tags moved into the name, is another key.
    @Test
    func segmentedKeysCompareEveryPart() {
        var table = RawKeyTable<Int32>(capacity: 4)
        func withKey<R>(_ prefix: UInt8, _ name: String, _ tags: String?, _ body: (RawKey.Segmented) -> R) -> R {
            let nameBytes = Array(name.utf8)
            let tagBytes = tags.map { Array($0.utf8) }
            return nameBytes.withUnsafeBytes { name in
                guard let tagBytes else { return body(RawKey.Segmented(prefix: prefix, name: name, tags: nil)) }
                return tagBytes.withUnsafeBytes { body(RawKey.Segmented(prefix: prefix, name: name, tags: $0)) }
            }
        }
        let keys: [(UInt8, String, String?)] = [
            (1, "checkout.latency", nil), (2, "checkout.latency", nil), (1, "checkout.latency", "route:/a"),
            (1, "checkout.latency", "route:/b"), (1, "checkout.latency", ""), (1, "checkout.latencyroute:/a", nil),
            (1, "", nil), (1, "", "x"),
        ] + (0..<500).map { (3, "name.\($0)", "k:\($0)") }
        for (index, (prefix, name, tags)) in keys.enumerated() {
            #expect(withKey(prefix, name, tags) { table.find($0, hash: $0.hash) } == nil)
            withKey(prefix, name, tags) { table.insert($0, hash: $0.hash, value: Int32(index)) }
        }
        for (index, (prefix, name, tags)) in keys.enumerated() {
            #expect(withKey(prefix, name, tags) { table.find($0, hash: $0.hash) } == Int32(index))
        }
        #expect(withKey(3, "name.1", "k:2") { table.find($0, hash: $0.hash) } == nil)
    }
}

struct AggregationShardTests {
    @Test
    func appliesDatagramsAndWritesText() {
        let shard = AggregationShard()
        shard.apply("a:1|c\na:2|c")
        #expect(Exposition(parsing: shard.text()).value("a") == 3)
        let snapshot = shard.snapshot()
        #expect(snapshot.counts.lines == 2)
        #expect(snapshot.seriesByKind[.counter] == 1)
    }

    @Test
    func countsRejectedLines() {
        let shard = AggregationShard()
        shard.countRejectedLine(.lineTooLong)
        let counts = shard.snapshot().counts
        #expect(counts.lines == 1)
        #expect(counts.sampleErrors[ParseFailure.lineTooLong.rawValue] == 1)
    }

    @Test
    func replaceMapperAndExpireGoThroughTheLock() {
        let shard = AggregationShard(mapper: .with(ttlSeconds: 1))
        shard.apply("a:1|c", now: 0)
        shard.replaceMapper(.with(observer: .histogram, ttlSeconds: 1))
        shard.apply("t:1|ms", now: 0)
        #expect(shard.withState { $0.liveSeriesCount } == 2)
        #expect(shard.expire(now: 2 * second) == 2)
        #expect(shard.text().isEmpty)
    }

    @Test
    func acceptsConcurrentDatagrams() async {
        let shard = AggregationShard()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for _ in 0..<250 { shard.apply("c:1|c\nc\(task):1|c|#t:\(task)") }
                }
            }
        }
        let exposition = Exposition(parsing: shard.text())
        #expect(exposition.value("c") == 2000)
        #expect(exposition.value("c3", ["t": "3"]) == 250)
    }
}
