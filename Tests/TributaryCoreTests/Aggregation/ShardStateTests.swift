import Testing

@testable import TributaryCore

struct ShardStateTests {
    // MARK: Counters

    @Test
    func addsCounterIncrements() {
        var state = ShardState()
        state.apply("orders:1|c\norders:2|c\norders:0.5|c")
        #expect(state.exposition().value("orders") == 3.5)
        #expect(state.counts.lines == 3)
        #expect(state.counts.samples == 3)
        #expect(state.counts.eventsByType == [3, 0, 0])
        #expect(state.counts.unmapped == 3)
    }

    @Test
    func scalesSampledCounterByInverseRate() {
        var state = ShardState()
        state.apply("orders_sampled:3|c|@0.2")
        #expect(approximatelyEqual(state.exposition().value("orders_sampled")!, 15))
    }

    @Test
    func dropsNegativeCounterIncrement() {
        var state = ShardState()
        state.apply("orders:2|c\norders:-3|c\nnegative_only:-1|c")
        let exposition = state.exposition()
        #expect(exposition.value("orders") == 2)
        #expect(state.sampleErrors(.negativeCounter) == 2)
        // A series whose only sample was rejected is not exported (statsd_exporter creates none).
        #expect(exposition.value("negative_only") == nil)
        #expect(exposition.types["negative_only"] == nil)
    }

    // MARK: Gauges

    @Test
    func setsAndShiftsGauges() {
        var state = ShardState()
        state.apply("temp:20|g\ntemp:+2.5|g\ntemp:-1|g")
        #expect(state.exposition().value("temp") == 21.5)
        state.apply("temp:7|g")
        #expect(state.exposition().value("temp") == 7)
        state.apply("temp:-7|g")
        #expect(state.exposition().value("temp") == 0)
    }

    @Test
    func relativeGaugeOnNewSeriesStartsFromZero() {
        var state = ShardState()
        state.apply("rel_only:+4|g\nrel_neg:-4|g")
        let exposition = state.exposition()
        #expect(exposition.value("rel_only") == 4)
        #expect(exposition.value("rel_neg") == -4)
    }

    @Test
    func ignoresSampleRateOnGauges() {
        var state = ShardState()
        state.apply("g:10|g|@0.5\ng:+1|g|@0.5")
        #expect(state.exposition().value("g") == 11)
    }

    // MARK: Observers

    @Test
    func exportsTimersInSecondsAsSummaries() {
        var state = ShardState()
        state.apply("rt:15|ms\nrt:45|ms")
        let exposition = state.exposition()
        #expect(exposition.types["rt"] == "summary")
        #expect(approximatelyEqual(exposition.value("rt", ["quantile": "0.5"])!, 0.015))
        #expect(approximatelyEqual(exposition.value("rt", ["quantile": "0.9"])!, 0.045))
        #expect(approximatelyEqual(exposition.value("rt", ["quantile": "0.99"])!, 0.045))
        #expect(approximatelyEqual(exposition.value("rt_sum")!, 0.06))
        #expect(exposition.value("rt_count") == 2)
    }

    @Test
    func keepsHistogramAndDistributionValuesUnscaled() {
        var state = ShardState()
        state.apply("size:100|h\nsize:300|h\nlat:0.2|d")
        let exposition = state.exposition()
        #expect(exposition.value("size_sum") == 400)
        #expect(exposition.value("size", ["quantile": "0.5"]) == 100)
        #expect(exposition.value("lat_sum") == 0.2)
    }

    @Test
    func fillsHistogramBucketsWithHistogramObserverType() {
        var state = ShardState(mapper: .with(observer: .histogram))
        // 3 ms, 10 ms (on a bound: `le` is inclusive), 700 ms, 20 s.
        state.apply("rt:3|ms\nrt:10|ms\nrt:700|ms\nrt:20000|ms")
        let exposition = state.exposition()
        #expect(exposition.types["rt"] == "histogram")
        let expected: [(String, Double)] = [
            ("0.005", 1), ("0.01", 2), ("0.025", 2), ("0.05", 2), ("0.1", 2), ("0.25", 2), ("0.5", 2), ("1", 3),
            ("2.5", 3), ("5", 3), ("10", 3), ("+Inf", 4),
        ]
        for (bound, count) in expected {
            #expect(exposition.value("rt_bucket", ["le": bound]) == count, "le=\(bound)")
        }
        #expect(exposition.samples.filter { $0.name == "rt_bucket" }.count == expected.count)
        #expect(approximatelyEqual(exposition.value("rt_sum")!, 20.713))
        #expect(exposition.value("rt_count") == 4)
    }

    @Test
    func weighsSampledTimersByInverseRate() {
        var summary = ShardState()
        summary.apply("rt:10|ms|@0.1\nrt:20|ms|@0.25")
        #expect(summary.exposition().value("rt_count") == 14)
        #expect(approximatelyEqual(summary.exposition().value("rt_sum")!, 0.1 + 0.08))

        var histogram = ShardState(mapper: .with(observer: .histogram))
        histogram.apply("rt:10|ms|@0.1\nrt:20|ms|@0.25")
        let exposition = histogram.exposition()
        #expect(exposition.value("rt_bucket", ["le": "0.01"]) == 10)
        #expect(exposition.value("rt_bucket", ["le": "0.025"]) == 14)
        #expect(exposition.value("rt_count") == 14)
    }

    @Test
    func computesExactQuantilesOnSmallSets() {
        var state = ShardState()
        state.apply((1...10).map { "s:\($0)|h" }.joined(separator: "\n"))
        let exposition = state.exposition()
        #expect(exposition.value("s", ["quantile": "0.5"]) == 5)
        #expect(exposition.value("s", ["quantile": "0.9"]) == 9)
        #expect(exposition.value("s", ["quantile": "0.99"]) == 10)
        #expect(exposition.value("s_sum") == 55)
    }

    @Test
    func approximatesQuantilesOnLargeSetsWithinOnePercent() {
        var state = ShardState()
        var generator = SplitMix64(seed: 42)
        var values: [Double] = []
        var lines: [String] = []
        for _ in 0..<5000 {
            let value = (Double.random(in: 1...1000, using: &generator) * 1000).rounded() / 1000
            values.append(value)
            lines.append("big:\(value)|h")
            if lines.count == 40 {
                state.apply(lines.joined(separator: "\n"))
                lines.removeAll()
            }
        }
        state.apply(lines.joined(separator: "\n"))
        values.sort()
        let exposition = state.exposition()
        for q in [0.5, 0.9, 0.99] {
            let exact = values[Int((q * Double(values.count)).rounded(.up)) - 1]
            let estimate = exposition.value("big", ["quantile": TextFormat.formatBound(q)])!
            #expect(abs(estimate - exact) / exact < 0.01, "q=\(q) exact=\(exact) estimate=\(estimate)")
        }
        #expect(exposition.value("big_count") == 5000)
        #expect(approximatelyEqual(exposition.value("big_sum")!, values.reduce(0, +), relative: 1e-9))
    }

    @Test
    func forgetsSummaryObservationsAfterMaxAgeButKeepsSumAndCount() {
        var state = ShardState()
        state.apply("rt:10|ms", now: 0)
        let exposition = state.exposition(now: 601 * second)
        #expect(exposition.value("rt", ["quantile": "0.5"])!.isNaN)
        #expect(exposition.value("rt_count") == 1)
        state.apply("rt:30|ms", now: 602 * second)
        #expect(approximatelyEqual(state.exposition(now: 602 * second).value("rt", ["quantile": "0.5"])!, 0.03))
    }

    // MARK: Types and series identity

    @Test
    func firstTypeWinsAndConflictsAreCounted() {
        var state = ShardState()
        state.apply("clash:1|g\nclash:1|c\nclash:5|ms\nclash:2|g")
        let exposition = state.exposition()
        #expect(exposition.types["clash"] == "gauge")
        #expect(exposition.value("clash") == 2)
        #expect(state.sampleErrors(.typeConflict) == 2)
        #expect(state.counts.conflicts["clash"] == 2)
    }

    @Test
    func rejectsCounterCollidingWithSummarySuffix() {
        var state = ShardState()
        state.apply("x:1|ms\nx_count:1|c\nx_sum:1|g\nx_bucket:1|c")
        let exposition = state.exposition()
        #expect(exposition.types["x"] == "summary")
        #expect(exposition.types["x_count"] == nil)
        #expect(exposition.types["x_sum"] == nil)
        // Summaries have no `_bucket` series, so that name is free.
        #expect(exposition.types["x_bucket"] == "counter")
        #expect(exposition.value("x_count") == 1)  // the summary's own count
        #expect(state.sampleErrors(.typeConflict) == 2)
        // Counted under the name the sample asked for, as statsd_exporter's `metric_name` label does.
        #expect(state.counts.conflicts["x_count"] == 1)
        #expect(state.counts.conflicts["x_sum"] == 1)
    }

}

@Suite struct ReservedNamesTests {
    @Test
    func refusesInputInTributarysOwnNamespace() {
        var state = ShardState()
        state.apply("tributary.lines.total:5|c\nok:1|c")
        let exposition = state.exposition()
        #expect(exposition.types["tributary_lines_total"] == nil)
        #expect(exposition.value("ok") == 1)
        #expect(state.sampleErrors(.typeConflict) == 1)
        #expect(state.counts.conflicts["tributary_lines_total"] == 1)
    }
}
