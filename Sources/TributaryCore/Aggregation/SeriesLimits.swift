/// Cardinality budgets of a shard: how many series it may hold overall and per metric name, and what
/// happens to a sample that would create one more.
///
/// Checked only on the routing slow path, when a line shape is seen for the first time; a sample for an
/// existing series always updates it. Routes that hit a budget are cached like any other and re-resolved when
/// series expire or the mapping is reloaded, so room freed by expiry is used again.
///
/// ```swift
/// let limits = SeriesLimits(maxSeries: 100_000, maxSeriesPerMetric: 1_000, overflow: .fold)
/// let state = ShardState(settings: AggregationSettings(limits: limits))
/// ```
package struct SeriesLimits: Sendable, Equatable {
    /// What happens to a sample that would create a series beyond a budget.
    package enum Overflow: String, Sendable, CaseIterable {
        /// The sample is counted (`tributary_series_limited_total{metric_name}`) and dropped.
        case drop
        /// The sample is counted and applied to one overflow series per metric name whose only label is
        /// `tributary_overflow="true"`.
        case fold
    }

    /// Most live series over all metric names; 0 = unlimited. With `fold`, each metric name may add one
    /// overflow series on top.
    package var maxSeries: Int
    /// Most live series per metric name (family); 0 = unlimited.
    package var maxSeriesPerMetric: Int
    package var overflow: Overflow
    /// How many distinct metric names `tributary_series_limited_total` lists; samples of further names are
    /// counted under ``otherMetricName``, so the self-metric cannot explode either.
    package var limitedNamesLimit: Int
    /// Most labels on one series (tags plus mapping labels); a sample with more is rejected
    /// (`sample_errors_total{reason="too_many_labels"}`). 0 = unlimited.
    package var maxLabels: Int
    /// Longest label value in bytes; a sample with a longer one is rejected
    /// (`reason="label_value_too_long"`). 0 = unlimited.
    package var maxLabelValueBytes: Int

    /// The `metric_name` label value limited samples count under once ``limitedNamesLimit`` names are listed.
    package static let otherMetricName = "_other"
    /// The label of a fold overflow series.
    package static let overflowLabel = (name: "tributary_overflow", value: "true")

    /// No series budgets; the default label limits.
    package static let unlimited = SeriesLimits()

    package static let defaultMaxLabels = 64
    package static let defaultMaxLabelValueBytes = 1024

    package init(
        maxSeries: Int = 0, maxSeriesPerMetric: Int = 0, overflow: Overflow = .drop, limitedNamesLimit: Int = 1000,
        maxLabels: Int = defaultMaxLabels, maxLabelValueBytes: Int = defaultMaxLabelValueBytes
    ) {
        self.maxLabels = maxLabels
        self.maxLabelValueBytes = maxLabelValueBytes
        self.maxSeries = maxSeries
        self.maxSeriesPerMetric = maxSeriesPerMetric
        self.overflow = overflow
        self.limitedNamesLimit = limitedNamesLimit
    }
}
