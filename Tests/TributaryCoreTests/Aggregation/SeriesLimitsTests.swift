import Testing

@testable import TributaryCore

struct SeriesLimitsTests {
    private func state(_ limits: SeriesLimits) -> ShardState {
        ShardState(settings: AggregationSettings(limits: limits))
    }

    @Test
    func dropsNewSeriesBeyondPerMetricBudgetAndKeepsUpdatingExisting() {
        var state = self.state(SeriesLimits(maxSeriesPerMetric: 2))
        state.apply("hits:1|c|#path:a\nhits:1|c|#path:b\nhits:1|c|#path:c\nhits:1|c|#path:c\nhits:5|c|#path:a")
        let exposition = state.exposition()
        #expect(exposition.value("hits", ["path": "a"]) == 6)
        #expect(exposition.value("hits", ["path": "b"]) == 1)
        #expect(exposition.value("hits", ["path": "c"]) == nil)
        #expect(state.counts.seriesLimited == ["hits": 2])
        // Another metric has its own budget.
        state.apply("other:1|c|#path:c")
        #expect(state.exposition().value("other", ["path": "c"]) == 1)
    }

    @Test
    func foldsNewSeriesIntoOneOverflowSeries() {
        var state = self.state(SeriesLimits(maxSeriesPerMetric: 1, overflow: .fold))
        state.apply("hits:1|c|#path:a,code:200\nhits:2|c|#path:b,code:500\nhits:3|c|#path:c\nhits:4|c|#path:a,code:200")
        let exposition = state.exposition()
        #expect(exposition.value("hits", ["path": "a", "code": "200"]) == 5)
        #expect(exposition.value("hits", ["tributary_overflow": "true"]) == 5)
        #expect(exposition.samples.filter { $0.name == "hits" }.count == 2)
        #expect(state.counts.seriesLimited == ["hits": 2])
    }

    @Test
    func foldsObserversKeepingTheirShape() {
        var state = ShardState(
            settings: AggregationSettings(limits: SeriesLimits(maxSeriesPerMetric: 1, overflow: .fold)),
            mapper: .with(observer: .histogram))
        state.apply("lat:10|ms|#h:a\nlat:20|ms|#h:b\nlat:30|ms|#h:c")
        let exposition = state.exposition()
        #expect(exposition.value("lat_count", ["h": "a"]) == 1)
        #expect(exposition.value("lat_count", ["tributary_overflow": "true"]) == 2)
        #expect(exposition.value("lat_sum", ["tributary_overflow": "true"]) == 0.05)
    }

    @Test
    func overallBudgetDropsNewNamesEvenWhenFolding() {
        var state = self.state(SeriesLimits(maxSeries: 2, overflow: .fold))
        state.apply("a:1|g\nb:1|g\nc:1|g\nb:2|g\nb:1|g|#x:y")
        let exposition = state.exposition()
        #expect(exposition.value("a") == 1)
        #expect(exposition.value("b") == 2)
        #expect(exposition.value("c") == nil)
        #expect(exposition.types["c"] == nil)
        // A known name folds its new label set.
        #expect(exposition.value("b", ["tributary_overflow": "true"]) == 1)
        #expect(state.counts.seriesLimited == ["c": 1, "b": 1])
    }

    @Test
    func expiryFreesRoomForNewSeries() {
        var state = ShardState(
            settings: AggregationSettings(limits: SeriesLimits(maxSeries: 1)), mapper: .with(ttlSeconds: 1))
        state.apply("a:1|g\nb:1|g", now: 0)
        #expect(state.exposition().value("b") == nil)
        state.expire(now: 2 * second)
        state.apply("b:3|g", now: 2 * second)
        #expect(state.exposition(now: 2 * second).value("b") == 3)
        #expect(state.counts.seriesLimited == ["b": 1])
    }

    @Test
    func limitsTheNamesLimitedSamplesCountUnder() {
        var state = self.state(SeriesLimits(maxSeries: 1, limitedNamesLimit: 2))
        state.apply("keep:1|c\nn1:1|c\nn2:1|c\nn3:1|c\nn4:1|c\nn1:1|c")
        #expect(state.counts.seriesLimited == ["n1": 2, "n2": 1, SeriesLimits.otherMetricName: 2])
    }

    @Test
    func boundsTheRouteCacheUnderHostileNames() {
        var state = self.state(SeriesLimits(maxSeries: 10))
        var text = ""
        for index in 0..<150_000 { text += "hostile_\(index):1|c\n" }
        state.apply(text)
        #expect(state.liveSeriesCount == 10)
        #expect(state.routes.count <= state.routeCacheLimit)
        #expect(state.counts.seriesLimited.count == 1001)  // 1000 names and `_other`
    }

    @Test
    func mappingRuleOverridesThePerMetricBudget() throws {
        let mapper = try CompiledMapper.load(
            yaml: """
                mappings:
                  - match: "wide.*"
                    name: "wide"
                    labels: {k: "$1"}
                    tributary_max_series_per_metric: 3
                  - match: "open.*"
                    name: "open"
                    labels: {k: "$1"}
                    tributary_max_series_per_metric: 0
                """)
        var state = ShardState(settings: AggregationSettings(limits: SeriesLimits(maxSeriesPerMetric: 1)), mapper: mapper)
        state.apply((0..<5).map { "wide.\($0):1|c\nopen.\($0):1|c\nplain:1|c|#k:\($0)" }.joined(separator: "\n"))
        #expect(state.counts.seriesLimited == ["wide": 2, "plain": 4])
        #expect(state.exposition().samples.filter { $0.name == "open" }.count == 5)
    }

    @Test
    func jsonFeedRespectsBudgets() {
        var state = self.state(SeriesLimits(maxSeriesPerMetric: 1))
        var bytes = Array(
            """
            {"name":"j","type":"counter","value":1,"labels":{"k":"a"}}
            {"name":"j","type":"counter","value":1,"labels":{"k":"b"}}
            """.utf8)
        bytes.withUnsafeMutableBytes { state.applyJSON(lines: UnsafeRawBufferPointer($0), now: 0) }
        #expect(state.exposition().value("j", ["k": "a"]) == 1)
        #expect(state.exposition().value("j", ["k": "b"]) == nil)
        #expect(state.counts.seriesLimited == ["j": 1])
    }
}
