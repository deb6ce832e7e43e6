/// Which metric names hold the most series and which of their labels make them many: what
/// `GET /api/v1/cardinality`, the status page and `tributary cardinality` show.
///
/// Built by ``make(store:counts:limits:limit:examples:)`` from a scrape copy (never a live shard: it reads every series
/// of the top metrics), so ingest is not held up while it runs. Cost: one pass over the families to rank them, then
/// one pass over the label text of the top `limit` families' series (no `String` per series; values are hashed in
/// place). JSON keys are snake_case.
///
/// ```swift
/// let report = CardinalityReport.make(store: copy.store, counts: copy.counts, limits: limits, limit: 10)
/// report.metrics[0].labels[0]  // the label with the most distinct values of the biggest metric
/// ```
package struct CardinalityReport: Sendable, Equatable, Codable {
    /// One label name of a metric.
    package struct Label: Sendable, Equatable, Codable {
        package var name: String
        /// Distinct values among the metric's live series.
        package var distinctValues: Int
        /// The first few distinct values, in series order (label text order).
        package var exampleValues: [String]

        enum CodingKeys: String, CodingKey {
            case name
            case distinctValues = "distinct_values"
            case exampleValues = "example_values"
        }
    }

    /// One metric name (family).
    package struct Metric: Sendable, Equatable, Codable {
        package var name: String
        /// `counter`, `gauge`, `summary` or `histogram`.
        package var type: String
        /// Live series.
        package var series: Int
        /// The per-metric budget: the rule's `tributary_max_series_per_metric`, else `--limits.max-series-per-metric`;
        /// 0 = unlimited.
        package var budget: Int
        /// `rule`, `flag` or `none` (unlimited).
        package var budgetSource: String
        /// Samples a budget (per metric or overall) refused a new series to: dropped (`overflow: drop`) or folded
        /// into the overflow series (`fold`). Cumulative since start.
        package var limitedSamples: UInt64
        /// Label names, most distinct values first (then by name).
        package var labels: [Label]

        enum CodingKeys: String, CodingKey {
            case name, type, series, budget
            case budgetSource = "budget_source"
            case limitedSamples = "limited_samples"
            case labels
        }
    }

    /// Live series over all metric names.
    package var totalSeries: Int
    /// Metric names with at least one live series.
    package var metricNames: Int
    /// `--limits.max-series`; 0 = unlimited.
    package var maxSeries: Int
    /// `--limits.overflow`: what a budget does with a sample beyond it (`drop` or `fold`).
    package var overflow: String
    /// The `limit` the report was made with.
    package var limit: Int
    /// The `limit` metric names with the most series, most first (then by name).
    package var metrics: [Metric]

    enum CodingKeys: String, CodingKey {
        case totalSeries = "total_series"
        case metricNames = "metric_names"
        case maxSeries = "max_series"
        case overflow, limit, metrics
    }

    /// Ranks `store`'s families by live series and describes the top `limit`.
    /// - Parameters:
    ///   - counts: for the samples each metric's budget limited (``IngestCounts/seriesLimited``).
    ///   - limits: the process's budgets (not a shard's share of `--limits.max-series`).
    ///   - examples: example values kept per label.
    package static func make(
        store: SeriesStore, counts: IngestCounts, limits: SeriesLimits, limit: Int, examples: Int = 3
    ) -> CardinalityReport {
        var ranked: [(series: Int, family: Int32)] = []
        var total = 0
        for index in store.families.indices where !store.families[index].series.isEmpty {
            ranked.append((store.families[index].series.count, Int32(index)))
            total += store.families[index].series.count
        }
        let top = Self.top(ranked, limit: max(0, limit), names: store.families)
        let metrics = top.map { familyID -> Metric in
            let family = store.families[Int(familyID)]
            let budget = family.ruleSeriesBudget ?? limits.maxSeriesPerMetric
            return Metric(
                name: family.name, type: family.storage.prometheusType, series: family.series.count, budget: budget,
                budgetSource: budget == 0 ? "none" : family.ruleSeriesBudget != nil ? "rule" : "flag",
                limitedSamples: counts.seriesLimited[family.name] ?? 0,
                labels: LabelCensus.labels(of: family, in: store.series, examples: examples))
        }
        return CardinalityReport(
            totalSeries: total, metricNames: ranked.count, maxSeries: limits.maxSeries,
            overflow: limits.overflow.rawValue, limit: limit, metrics: metrics)
    }

    /// The `limit` biggest families, most series first, ties by name: a full sort only when `limit` is large.
    private static func top(_ ranked: [(series: Int, family: Int32)], limit: Int, names: [Family]) -> [Int32] {
        func before(_ a: (series: Int, family: Int32), _ b: (series: Int, family: Int32)) -> Bool {
            a.series != b.series ? a.series > b.series : names[Int(a.family)].name < names[Int(b.family)].name
        }
        if limit == 0 { return [] }
        if limit * 8 >= ranked.count { return ranked.sorted(by: before).prefix(limit).map(\.family) }
        // Keep the best `limit` in a small sorted buffer: O(n · limit) worst case, O(n) for the usual skew.
        var best: [(series: Int, family: Int32)] = []
        best.reserveCapacity(limit + 1)
        for entry in ranked {
            if best.count == limit, !before(entry, best[limit - 1]) { continue }
            let position = best.firstIndex { before(entry, $0) } ?? best.count
            best.insert(entry, at: position)
            if best.count > limit { best.removeLast() }
        }
        return best.map(\.family)
    }
}
