// libFuzzer target: one input = a chunk of the NDJSON feed, applied to a fresh shard and written out.
import TributaryCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONFeed(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: count)
    var state = ShardState(
        settings: AggregationSettings(
            jsonFeedMapping: count % 2 == 0,
            limits: SeriesLimits(maxSeries: 64, maxSeriesPerMetric: 8, overflow: .fold, maxLabels: 8, maxLabelValueBytes: 64)))
    state.applyJSON(lines: bytes, now: 1)
    state.applyJSON(lines: bytes, now: 2)
    var out: [UInt8] = []
    state.writeText(into: &out, now: 3)
    return 0
}
