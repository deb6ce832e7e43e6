/// The value of one series of a storage kind: how it starts, is released, merges and is written.
///
/// Each kind has one value type (``CounterValue``, ``GaugeValue``, ``SetState``, ``SummaryState``,
/// ``HistogramState``) living in its own ``ValueColumn``; updates on the ingest hot path are in ``SeriesStore``.
protocol SeriesValue: Sendable {
    /// The column of ``ValueColumns`` holding values of this type.
    static var column: WritableKeyPath<ValueColumns, ValueColumn<Self>> { get }
    /// A fresh value for a new series of `family`; `setWindowNanos` is the StatsD set window.
    init(family: Family, setWindowNanos: UInt64, now: UInt64)
    /// What a freed slot holds until it is reused (drops summary windows, set members, buckets).
    static var released: Self { get }
    /// Combines the same series from another shard (``SeriesStore/absorb(_:)``); `otherIsLater` when `other` was
    /// updated last. Counters and histograms add; the others take the later value.
    mutating func combine(_ other: Self, otherIsLater: Bool)
    /// Prepares what every series of `family` shares before they are emitted (once per family, not per series).
    static func prepare(family: Family, scratch: inout ExpositionScratch)
    /// Passes the value to `sink`. Mutating because sets and summaries roll their windows first.
    mutating func emit(
        to sink: inout some ExpositionSink, family: Family, series: SeriesRecord, now: UInt64,
        scratch: inout ExpositionScratch)
    /// Writes the whole state for a snapshot: what ``init(decoding:family:)`` needs to continue where it stood.
    func encode(into encoder: inout SnapshotEncoder)
    /// The state a snapshot holds for a series of `family`. Throws ``SnapshotFailure/invalidValue`` for a state no
    /// encoder writes (or that does not fit `family`, such as another bucket count), so a restored value never
    /// breaks an invariant later.
    init(decoding decoder: inout SnapshotDecoder, family: Family) throws(SnapshotFailure)
}

extension SeriesValue {
    static func prepare(family: Family, scratch: inout ExpositionScratch) {}

    /// The default merge: the later-updated shard's value wins (gauges, sets, summaries: their members and windows
    /// cannot be added). Counters and histograms add instead.
    mutating func combine(_ other: Self, otherIsLater: Bool) {
        if otherIsLater { self = other }
    }
}

/// Buffers reused across the series of one exposition, so writing a known series does not allocate.
struct ExpositionScratch {
    var pairs: [(Double, Double)] = []
    var values: [Double] = []
    /// The current summary family's quantiles (its objectives' `quantile`s).
    var quantiles: [Double] = []
}

/// A counter: the cumulative value and the last exemplar (JSON feed objects that carry a trace).
struct CounterValue: SeriesValue {
    static var column: WritableKeyPath<ValueColumns, ValueColumn<Self>> { \.counters }
    var value: Double = 0
    var exemplar: Exemplar? = nil

    init(value: Double = 0, exemplar: Exemplar? = nil) {
        self.value = value
        self.exemplar = exemplar
    }
    init(family: Family, setWindowNanos: UInt64, now: UInt64) {}
    static var released: Self { Self() }

    func encode(into encoder: inout SnapshotEncoder) {
        encoder.write(self.value)
        Exemplar.encode(self.exemplar, into: &encoder)
    }

    init(decoding decoder: inout SnapshotDecoder, family: Family) throws(SnapshotFailure) {
        self.value = try decoder.readDouble()
        self.exemplar = try Exemplar.decodeOptional(from: &decoder)
    }

    mutating func combine(_ other: Self, otherIsLater: Bool) {
        self.value += other.value
        if otherIsLater || self.exemplar == nil { self.exemplar = other.exemplar ?? self.exemplar }
    }

    func emit(
        to sink: inout some ExpositionSink, family: Family, series: SeriesRecord, now: UInt64,
        scratch: inout ExpositionScratch
    ) {
        sink.counter(
            labelText: series.labelText, value: self.value, createdSeconds: series.createdSeconds,
            exemplar: self.exemplar)
    }
}

/// A gauge: the last value set (or the sum of `+`/`-` deltas since).
struct GaugeValue: SeriesValue {
    static var column: WritableKeyPath<ValueColumns, ValueColumn<Self>> { \.gauges }
    var value: Double = 0

    init(value: Double = 0) { self.value = value }
    init(family: Family, setWindowNanos: UInt64, now: UInt64) {}
    static var released: Self { Self() }

    func encode(into encoder: inout SnapshotEncoder) { encoder.write(self.value) }

    init(decoding decoder: inout SnapshotDecoder, family: Family) throws(SnapshotFailure) {
        self.value = try decoder.readDouble()
    }

    func emit(
        to sink: inout some ExpositionSink, family: Family, series: SeriesRecord, now: UInt64,
        scratch: inout ExpositionScratch
    ) {
        sink.gauge(labelText: series.labelText, value: self.value)
    }
}

extension SetState: SeriesValue {
    static var column: WritableKeyPath<ValueColumns, ValueColumn<Self>> { \.sets }
    init(family: Family, setWindowNanos: UInt64, now: UInt64) { self.init(windowNanos: setWindowNanos, now: now) }
    static var released: Self { SetState(windowNanos: 1, now: 0) }

    init(decoding decoder: inout SnapshotDecoder, family: Family) throws(SnapshotFailure) {
        try self.init(decoding: &decoder)
    }

    mutating func emit(
        to sink: inout some ExpositionSink, family: Family, series: SeriesRecord, now: UInt64,
        scratch: inout ExpositionScratch
    ) {
        sink.gauge(labelText: series.labelText, value: self.value(now: now))
    }
}

extension SummaryState: SeriesValue {
    static var column: WritableKeyPath<ValueColumns, ValueColumn<Self>> { \.summaries }

    static func prepare(family: Family, scratch: inout ExpositionScratch) {
        scratch.quantiles.removeAll(keepingCapacity: true)
        scratch.quantiles.append(contentsOf: family.summaryOptions.objectives.lazy.map(\.quantile))
    }
    init(family: Family, setWindowNanos: UInt64, now: UInt64) { self.init(options: family.summaryOptions, now: now) }
    static var released: Self { SummaryState(options: .statsdExporterDefault, now: 0) }

    init(decoding decoder: inout SnapshotDecoder, family: Family) throws(SnapshotFailure) {
        try self.init(decoding: &decoder)
    }

    mutating func emit(
        to sink: inout some ExpositionSink, family: Family, series: SeriesRecord, now: UInt64,
        scratch: inout ExpositionScratch
    ) {
        let objectives = family.summaryOptions.objectives
        self.quantiles(objectives, now: now, scratch: &scratch.pairs, into: &scratch.values)
        sink.summary(
            labelText: series.labelText, quantiles: scratch.quantiles, values: scratch.values, sum: self.sum,
            count: self.count, createdSeconds: series.createdSeconds)
    }
}

extension HistogramState: SeriesValue {
    static var column: WritableKeyPath<ValueColumns, ValueColumn<Self>> { \.histograms }

    init(family: Family, setWindowNanos: UInt64, now: UInt64) {
        let native = family.nativeSchema.map { NativeHistogramState(schema: $0, maxBuckets: family.nativeMaxBuckets) }
        self.init(bounds: family.bounds, native: native)
    }
    static var released: Self { HistogramState(bounds: []) }

    init(decoding decoder: inout SnapshotDecoder, family: Family) throws(SnapshotFailure) {
        try self.init(decoding: &decoder, bounds: family.bounds)
    }

    mutating func combine(_ other: Self, otherIsLater: Bool) { self.add(other) }

    func emit(
        to sink: inout some ExpositionSink, family: Family, series: SeriesRecord, now: UInt64,
        scratch: inout ExpositionScratch
    ) {
        sink.histogram(
            labelText: series.labelText, bounds: family.bounds, state: self, createdSeconds: series.createdSeconds)
    }
}
