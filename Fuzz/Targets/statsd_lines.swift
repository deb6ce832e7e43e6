// libFuzzer target: one input = one StatsD datagram, applied to a fresh shard (framing, line and tag parsing,
// mapping, routing, series creation) with small budgets so the limit paths run too, then written out.
import TributaryCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStatsDLines(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: count)
    var state = ShardState(
        settings: AggregationSettings(
            limits: SeriesLimits(maxSeries: 64, maxSeriesPerMetric: 8, overflow: count % 2 == 0 ? .drop : .fold,
                                 limitedNamesLimit: 16, maxLabels: 8, maxLabelValueBytes: 64),
            maxLineBytes: 1024),
        mapper: FuzzMapper.shared)
    state.apply(lines: bytes, now: 1)
    state.apply(lines: bytes, now: 2_000_000_000)
    var out: [UInt8] = []
    state.writeText(into: &out, now: 3_000_000_000)
    state.expire(now: 10_000_000_000_000)
    return 0
}

/// A mapping with globs, a regex, labels from captures, drops and observers, so fuzzed names exercise matching.
enum FuzzMapper {
    static let shared: CompiledMapper = {
        let yaml = """
            defaults:
              observer_type: histogram
              ttl: 1s
            mappings:
              - match: "a.*.*"
                name: "a_${1}"
                labels: {x: "${2}"}
              - match: "drop.*"
                name: "dropped"
                action: drop
              - match: "^r_([a-z]+)_(\\\\d+)$"
                match_type: regex
                name: "regex_${1}"
                labels: {n: "${2}"}
              - match: "t.*"
                match_metric_type: observer
                name: "timer"
                observer_type: summary
            """
        return (try? CompiledMapper.load(yaml: yaml)) ?? .empty
    }()
}
