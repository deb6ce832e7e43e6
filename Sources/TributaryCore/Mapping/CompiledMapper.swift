/// An immutable, validated set of mapping rules, ready to match StatsD metric names.
///
/// Built once per (re)load from the mapping YAML; shared between shards as a `Sendable` value.
/// `CompiledMapper.empty` (no file given) maps nothing: every metric keeps its escaped name,
/// observers become summaries with statsd_exporter's defaults.
package struct CompiledMapper: Sendable {
    /// Defaults applied to unmapped metrics and to rules that do not override them.
    package var defaultObserverType: ObserverType
    package var defaultHistogramOptions: HistogramOptions
    package var defaultSummaryOptions: SummaryOptions
    package var defaultTTLSeconds: Double

    /// Number of rules (for `tributary_loaded_mappings`).
    package var ruleCount: Int { 0 }

    package static let empty = CompiledMapper(
        defaultObserverType: .summary,
        defaultHistogramOptions: .statsdExporterDefault,
        defaultSummaryOptions: .statsdExporterDefault,
        defaultTTLSeconds: 0
    )

    package init(
        defaultObserverType: ObserverType, defaultHistogramOptions: HistogramOptions,
        defaultSummaryOptions: SummaryOptions, defaultTTLSeconds: Double
    ) {
        self.defaultObserverType = defaultObserverType
        self.defaultHistogramOptions = defaultHistogramOptions
        self.defaultSummaryOptions = defaultSummaryOptions
        self.defaultTTLSeconds = defaultTTLSeconds
    }

    /// Maps a StatsD metric name (as sent, tags removed, not escaped) of the given type.
    ///
    /// Unmatched names yield `.map` with the escaped name and `ruleIndex == nil`.
    package func map(name: String, type: StatsDType) -> MappingOutcome {
        MappingOutcome(
            action: .map,
            name: MetricNameEscaping.escape(name),
            observerType: self.defaultObserverType,
            histogramOptions: self.defaultHistogramOptions,
            summaryOptions: self.defaultSummaryOptions,
            ttlSeconds: self.defaultTTLSeconds,
            ruleIndex: nil
        )
    }
}
