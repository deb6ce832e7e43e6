/// A family as an exposition sink sees it, before its series.
package struct FamilyHeader: Sendable {
    /// The stored (escaped, legacy-valid) name.
    package var name: String
    /// The input's spelling when escaping changed it; served under `escaping=allow-utf-8`.
    package var originalName: String?
    package var help: String
    package var storage: StorageKind
    /// The unit the JSON feed gave (`seconds`, `bytes`), nil without one: OpenMetrics `# UNIT` (when the name ends
    /// in `_<unit>`, as OpenMetrics requires) and the protobuf `unit` field.
    package var unit: String?

    package init(name: String, originalName: String? = nil, help: String, storage: StorageKind, unit: String? = nil) {
        self.name = name
        self.originalName = originalName
        self.help = help
        self.storage = storage
        self.unit = unit
    }

    /// The name to expose under `escaping`.
    package func exposedName(_ escaping: NameEscaping) -> String {
        escaping == .allowUTF8 ? (self.originalName ?? self.name) : self.name
    }
}

/// A writer that receives families and series one by one: every exposition format (``TextWriter`` for text 0.0.4
/// and 1.0.0, ``OpenMetricsWriter``, the server's protobuf encoder) is one, for series and self-metrics alike.
///
/// ``SeriesStore/visit(_:now:)`` and the self-metrics writer drive it, families sorted by name and series by label
/// text. `labelText` is the prerendered `k="v",…` (values escaped as in the text formats). Values are cumulative
/// (counters, histogram `_count`/`_sum`); histogram buckets are passed per bucket and cumulated by the sink.
/// `createdSeconds` is wall-clock seconds since the epoch, nil when unknown (self-metrics).
package protocol ExpositionSink {
    mutating func beginFamily(_ header: FamilyHeader)
    mutating func counter(labelText: String, value: Double, createdSeconds: Double?, exemplar: Exemplar?)
    /// Gauges and sets.
    mutating func gauge(labelText: String, value: Double)
    mutating func summary(
        labelText: String, quantiles: [Double], values: [Double], sum: Double, count: Double, createdSeconds: Double?)
    mutating func histogram(labelText: String, bounds: [Double], state: HistogramState, createdSeconds: Double?)
}
