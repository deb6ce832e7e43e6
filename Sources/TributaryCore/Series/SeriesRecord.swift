/// A metric family: one name, one type, its series (ids into ``SeriesStore``).
struct Family: Sendable {
    var name: String
    /// The name as the input spelled it, when escaping changed it (an unmapped `a.b` is stored as `a_b`): served
    /// instead of `name` to scrapers that send `escaping=allow-utf-8`. The first spelling that created the family wins.
    var originalName: String? = nil
    var storage: StorageKind
    var help: String
    /// The unit the JSON feed gave (`seconds`, `bytes`); exposed as OpenMetrics `# UNIT` and protobuf `unit`.
    var unit: String? = nil
    /// Histogram upper bounds (without +Inf), fixed by the first series of the family.
    var bounds: [Double]
    var summaryOptions: SummaryOptions
    /// Native histogram schema when the mapping's `native_histogram_bucket_factor` is > 1; nil for classic only.
    var nativeSchema: Int32? = nil
    /// `native_histogram_max_buckets`; 0 = no limit.
    var nativeMaxBuckets: Int = 0
    /// The budget of the rule that last routed a new line shape to this family (`tributary_max_series_per_metric`);
    /// nil when that rule has none (`--limits.max-series-per-metric` applies). Reported by ``CardinalityReport``.
    var ruleSeriesBudget: Int? = nil
    /// The input that created the family: mapped again when a snapshot is restored under another mapping file, to
    /// check the mapping still produces this name and type. Nil in families made by tests and tools.
    var source: FamilySource? = nil
    /// Series ids by their rendered label text.
    var seriesByLabels: [String: Int32] = [:]
    /// Live series ids, sorted by label text when `sorted` is true.
    var series: [Int32] = []
    var sorted = true

    /// What an exposition sink is told before the family's series.
    var header: FamilyHeader {
        FamilyHeader(name: self.name, originalName: self.originalName, help: self.help, storage: self.storage, unit: self.unit)
    }
}

/// The name (tags removed, before mapping) and request of the first sample that created a family.
struct FamilySource: Sendable {
    var name: String
    var request: RouteRequest
}

/// One series: a family and a label set, and where its value lives.
struct SeriesRecord: Sendable {
    var family: Int32
    /// `k="v",k2="v2"`: label names sorted, values escaped; empty when there are no labels.
    var labelText: String
    /// Index into the value column of the family's kind.
    var slot: Int32
    /// Monotonic time (ns) of the last sample.
    var lastUpdate: UInt64
    /// Wall-clock seconds since the epoch when the series was created (OpenMetrics `_created`, protobuf
    /// `created_timestamp`).
    var createdSeconds: Double = 0
    /// Expire after this long without a sample; 0 = never.
    var ttlNanos: UInt64
    var alive: Bool
    /// The family's storage kind, kept here too so that updating a counter, gauge, set or summary touches only this
    /// record and its value, not the (much larger) family. Set by ``SeriesStore`` when the record is inserted.
    var storage: StorageKind = .counter
    /// How many times a series under this id expired: a cached ``Route`` to the id is current only while the
    /// generation it saw is (the id may be dead, or another series' by now).
    var generation: UInt32 = 0
}

/// One sample as the store applies it, whichever protocol it came in by.
struct Observation {
    /// The value (a counter increment, a gauge value or delta, an observation before scaling).
    var value: Double
    /// StatsD sample rate (`|@0.1`): counters add `value / sampleRate`, observers weigh `1 / sampleRate`.
    var sampleRate: Double = 1
    /// Gauges: add `value` instead of setting it.
    var relative = false
    /// Sets: the member's 64-bit hash.
    var memberHash: UInt64 = 0

    /// How many observations this sample stands for (`1 / sampleRate`), without a division for unsampled lines.
    @inline(__always)
    var weight: Double { self.sampleRate == 1 ? 1 : 1 / self.sampleRate }

    /// A counter's increment, `value / sampleRate` (no division for unsampled lines: `x / 1` is `x` exactly).
    @inline(__always)
    var increment: Double { self.sampleRate == 1 ? self.value : self.value / self.sampleRate }
}

/// How a route scales observations: `value / divisor * multiplier` (`ms` → seconds, the mapping's `scale`).
struct Scaling: Sendable {
    /// 1000 for `ms` timers, else 1. A division, like statsd_exporter's `value / 1000`: `9 * 0.001` would give
    /// 0.009000000000000001.
    var divisor: Double = 1
    var multiplier: Double = 1

    /// `value / divisor * multiplier`; the division is skipped when the divisor is 1 (`x / 1` is `x` exactly).
    @inline(__always)
    func apply(_ value: Double) -> Double {
        (self.divisor == 1 ? value : value / self.divisor) * self.multiplier
    }
}
