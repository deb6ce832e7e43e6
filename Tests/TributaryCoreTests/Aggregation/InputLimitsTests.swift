import Testing

@testable import TributaryCore

struct InputLimitsTests {
    @Test
    func rejectsTooManyLabelsAndCountsReason() {
        var state = ShardState(settings: AggregationSettings(limits: SeriesLimits(maxLabels: 2)))
        state.apply("ok:1|c|#a:1,b:2\nwide:1|c|#a:1,b:2,c:3\nwide:1|c|#a:1,b:2,c:3")
        #expect(state.exposition().value("ok", ["a": "1", "b": "2"]) == 1)
        #expect(state.exposition().types["wide"] == nil)
        #expect(state.sampleErrors(.tooManyLabels) == 2)
    }

    @Test
    func rejectsLongLabelValueRatherThanTruncating() {
        var state = ShardState(settings: AggregationSettings(limits: SeriesLimits(maxLabelValueBytes: 8)))
        state.apply("v:1|c|#k:12345678\nv:1|c|#k:123456789")
        #expect(state.exposition().value("v", ["k": "12345678"]) == 1)
        #expect(state.exposition().samples.filter { $0.name == "v" }.count == 1)
        #expect(state.sampleErrors(.labelValueTooLong) == 1)
    }

    @Test
    func zeroMeansUnlimited() {
        var state = ShardState(settings: AggregationSettings(limits: SeriesLimits(maxLabels: 0, maxLabelValueBytes: 0)))
        let tags = (0..<80).map { "t\($0):" + String(repeating: "x", count: 600) }.joined(separator: ",")
        state.apply("many:1|c|#" + tags)
        #expect(state.liveSeriesCount == 1)
    }

    @Test
    func skipsDatagramLinesLongerThanTheLimit() {
        var state = ShardState(settings: AggregationSettings(maxLineBytes: 16))
        state.apply("short:1|c\n" + String(repeating: "x", count: 17) + ":1|c\nshort:2|c")
        #expect(state.exposition().value("short") == 3)
        #expect(state.sampleErrors(.lineTooLong) == 1)
        #expect(state.counts.lines == 3)
    }

    @Test
    func jsonFeedCountsLabelLimitsUnderItsOwnReasons() {
        var state = ShardState(settings: AggregationSettings(limits: SeriesLimits(maxLabels: 1)))
        var bytes = Array(#"{"name":"j","type":"gauge","value":1,"labels":{"a":"1","b":"2"}}"#.utf8)
        bytes.withUnsafeMutableBytes { state.applyJSON(lines: UnsafeRawBufferPointer($0), now: 0) }
        #expect(state.counts.jsonErrors[JSONFeedFailure.tooManyLabels.rawValue] == 1)
    }
}
