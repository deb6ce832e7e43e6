/// How a family's series are stored, which decides its Prometheus type.
package enum StorageKind: Int, Sendable, CaseIterable {
    case counter
    case gauge
    /// A StatsD set, exported as a gauge of distinct members.
    case set
    case summary
    case histogram

    /// The `# TYPE` word.
    package var prometheusType: String {
        switch self {
        case .counter: "counter"
        case .gauge, .set: "gauge"
        case .summary: "summary"
        case .histogram: "histogram"
        }
    }

    /// The `metric_type` label used in self-metrics.
    package var label: String {
        switch self {
        case .counter: "counter"
        case .gauge: "gauge"
        case .set: "set"
        case .summary: "summary"
        case .histogram: "histogram"
        }
    }
}

/// A metric family: one name, one type, its series.
struct Family: Sendable {
    var name: String
    /// The name as the input spelled it, when escaping changed it (an unmapped `a.b` is stored as `a_b`): served
    /// instead of `name` to scrapers that send `escaping=allow-utf-8`. The first spelling that created the family wins.
    var originalName: String? = nil
    var storage: StorageKind
    var help: String
    /// Histogram upper bounds (without +Inf), fixed by the first series of the family.
    var bounds: [Double]
    var summaryOptions: SummaryOptions
    /// Native histogram schema when the mapping's `native_histogram_bucket_factor` is > 1; nil for classic only.
    var nativeSchema: Int32? = nil
    /// `native_histogram_max_buckets`; 0 = no limit.
    var nativeMaxBuckets: Int = 0
    /// Series ids by their rendered label text.
    var seriesByLabels: [String: Int32] = [:]
    /// Live series ids, sorted by label text when `sorted` is true.
    var series: [Int32] = []
    var sorted = true
}

/// One series: a family and a label set, and where its value lives.
struct Series: Sendable {
    var family: Int32
    /// `k="v",k2="v2"`: label names sorted, values escaped; empty when there are no labels.
    var labelText: String
    /// Index into the storage array of the family's kind.
    var slot: Int32
    /// Monotonic time (ns) of the last sample.
    var lastUpdate: UInt64
    /// Wall-clock seconds since the epoch when the series was created (OpenMetrics `_created`, protobuf
    /// `created_timestamp`); derived from the monotonic clock through ``ShardState/wallClockOffsetSeconds``.
    var createdSeconds: Double = 0
    /// Expire after this long without a sample; 0 = never.
    var ttlNanos: UInt64
    var alive: Bool
}

/// What a raw series key resolves to. Cached per raw key; recomputed after a reload or expiry.
struct Route: Sendable {
    enum Kind: Sendable {
        case apply(series: Int32)
        case drop
        /// Index into `ShardState.conflictNames`: the metric name the conflict is counted under.
        case conflict(name: Int32)
        /// Over a cardinality budget with `overflow: drop`; the index names the metric in `conflictNames`.
        case limited(name: Int32)
        /// Over a cardinality budget with `overflow: fold`: applied to the metric's overflow series and
        /// counted under the metric name (index into `conflictNames`).
        case folded(series: Int32, name: Int32)
        case failure(ParseFailure)
        /// A JSON feed object whose name or labels cannot be used (decoded once, then cached like any route).
        case jsonFailure(JSONFeedFailure)
    }

    var kind: Kind
    /// Multiplier for observed values: the mapping's `scale`.
    var multiplier: Double
    /// Divisor for observed values, applied before `multiplier`: 1000 for `ms` (to seconds), else 1.
    /// A division, like statsd_exporter's `value / 1000`: `9 * 0.001` would give 0.009000000000000001.
    var divisor: Double = 1
    /// Tags skipped as invalid in this line shape, counted on every line like statsd_exporter.
    var tagErrors: UInt32
    var hasTags: Bool
    var unmapped: Bool
    /// Index of this name in `ShardState.unmappedNames` (for its sample count), or -1.
    var unmappedEntry: Int32 = -1
}

/// Self-observation counts kept by a shard under its lock (plain integers, no atomics on the hot path).
package struct IngestCounts: Sendable {
    package var lines: UInt64 = 0
    package var samples: UInt64 = 0
    package var sampleErrors = [UInt64](repeating: 0, count: ParseFailure.allCases.count)
    package var linesWithTags: UInt64 = 0
    package var tagErrors: UInt64 = 0
    /// Accepted samples by `MatchMetricType`: counter, gauge, observer. Plain fields, not an array, so counting on
    /// the hot path is one add with no uniqueness check.
    package var counterEvents: UInt64 = 0
    package var gaugeEvents: UInt64 = 0
    package var observerEvents: UInt64 = 0

    /// The three event counts, indexed by ``matchIndex(_:)``.
    package var eventsByType: [UInt64] {
        get { [self.counterEvents, self.gaugeEvents, self.observerEvents] }
        set {
            self.counterEvents = newValue[0]
            self.gaugeEvents = newValue[1]
            self.observerEvents = newValue[2]
        }
    }

    /// Counts one accepted sample of `type`.
    @inline(__always)
    package mutating func countEvent(_ type: MatchMetricType) {
        switch type {
        case .counter: self.counterEvents &+= 1
        case .gauge: self.gaugeEvents &+= 1
        case .observer: self.observerEvents &+= 1
        }
    }
    package var unmapped: UInt64 = 0
    package var dropped: UInt64 = 0
    package var dogStatsDEvents: UInt64 = 0
    package var dogStatsDServiceChecks: UInt64 = 0
    /// Conflicting samples by metric name.
    package var conflicts: [String: UInt64] = [:]
    package var expiredSeries: UInt64 = 0
    /// Samples that would have created a series beyond a cardinality budget, by metric name (at most
    /// ``SeriesLimits/limitedNamesLimit`` names, then ``SeriesLimits/otherMetricName``).
    package var seriesLimited: [String: UInt64] = [:]
    /// Non-empty JSON feed lines (including over-long ones).
    package var jsonLines: UInt64 = 0
    /// JSON feed objects accepted (applied to a series, or dropped by a mapping rule's `action: drop`).
    package var jsonSamples: UInt64 = 0
    /// Rejected JSON feed objects (and over-long lines), indexed by ``JSONFeedFailure``.
    package var jsonErrors = [UInt64](repeating: 0, count: JSONFeedFailure.allCases.count)

    package init() {}

    package static func matchIndex(_ type: MatchMetricType) -> Int {
        switch type {
        case .counter: 0
        case .gauge: 1
        case .observer: 2
        }
    }
}
