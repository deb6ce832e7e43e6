/// The StatsD type of a sample as it appears on the line (`c`, `g`, `ms`, `h`, `d`, `s`).
package enum StatsDType: UInt8, Sendable, Hashable, CaseIterable {
    case counter = 0
    case gauge
    case timer
    case histogram
    case distribution
    case set

    /// The class `match_metric_type` compares against in mapping rules.
    package var matchClass: MatchMetricType {
        switch self {
        case .counter: .counter
        case .gauge, .set: .gauge
        case .timer, .histogram, .distribution: .observer
        }
    }

    /// The suffix letters on the wire, for logs and explain output.
    package var wireName: String {
        switch self {
        case .counter: "c"
        case .gauge: "g"
        case .timer: "ms"
        case .histogram: "h"
        case .distribution: "d"
        case .set: "s"
        }
    }
}

/// `match_metric_type` in a mapping rule.
package enum MatchMetricType: String, Sendable, Hashable, Codable {
    case counter
    case gauge
    case observer
}

/// How an observation (timer, histogram, distribution) is exported.
package enum ObserverType: String, Sendable, Hashable, Codable {
    case summary
    case histogram
}

/// One target quantile of a summary, with its allowed rank error.
package struct SummaryObjective: Sendable, Hashable, Codable {
    package var quantile: Double
    package var error: Double

    package init(quantile: Double, error: Double) {
        self.quantile = quantile
        self.error = error
    }
}

/// Options of an exported summary (statsd_exporter's `summary_options`).
package struct SummaryOptions: Sendable, Hashable {
    /// Quantiles to export; statsd_exporter's default is 0.5/0.9/0.99 with errors 0.05/0.01/0.001.
    package var objectives: [SummaryObjective]
    /// How long an observation counts towards the quantiles, in seconds (default 600).
    package var maxAgeSeconds: Double
    /// Number of buckets the max-age window rotates through (default 5).
    package var ageBuckets: Int
    /// Buffer capacity of the streaming estimator (accepted for compatibility; default 500).
    package var bufferCapacity: Int

    package static let statsdExporterDefault = SummaryOptions(
        objectives: [
            SummaryObjective(quantile: 0.5, error: 0.05),
            SummaryObjective(quantile: 0.9, error: 0.01),
            SummaryObjective(quantile: 0.99, error: 0.001),
        ],
        maxAgeSeconds: 600,
        ageBuckets: 5,
        bufferCapacity: 500
    )

    package init(objectives: [SummaryObjective], maxAgeSeconds: Double, ageBuckets: Int, bufferCapacity: Int) {
        self.objectives = objectives
        self.maxAgeSeconds = maxAgeSeconds
        self.ageBuckets = ageBuckets
        self.bufferCapacity = bufferCapacity
    }
}

/// Options of an exported histogram (statsd_exporter's `histogram_options`).
package struct HistogramOptions: Sendable, Hashable {
    /// Upper bounds of the classic buckets, strictly increasing, without `+Inf`.
    package var buckets: [Double]
    /// `native_histogram_bucket_factor`; 0 or less than or equal to 1 means no native histogram.
    package var nativeBucketFactor: Double
    /// `native_histogram_max_buckets`; 0 means no limit.
    package var nativeMaxBuckets: Int

    /// client_golang's `DefBuckets`, which statsd_exporter uses when a mapping gives none.
    package static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    package static let statsdExporterDefault = HistogramOptions(buckets: defaultBuckets, nativeBucketFactor: 0, nativeMaxBuckets: 0)

    package init(buckets: [Double], nativeBucketFactor: Double, nativeMaxBuckets: Int) {
        self.buckets = buckets
        self.nativeBucketFactor = nativeBucketFactor
        self.nativeMaxBuckets = nativeMaxBuckets
    }
}

/// What the mapper decided for one StatsD metric name and type.
///
/// Produced on the slow path only (the first time a raw series key is seen after a (re)load);
/// the aggregation layer caches the resulting route per raw key.
package struct MappingOutcome: Sendable, Equatable {
    package enum Action: String, Sendable, Equatable {
        case map
        case drop
    }

    package var action: Action
    /// Final Prometheus metric name, already escaped.
    package var name: String
    /// Labels produced by the rule (already expanded); merged with the line's tags.
    package var labels: [(name: String, value: String)]
    /// When true, tags from the line win over the rule's labels of the same name.
    package var honorLabels: Bool
    package var observerType: ObserverType
    package var histogramOptions: HistogramOptions
    package var summaryOptions: SummaryOptions
    /// Series expire after this many seconds without an update; 0 = never.
    package var ttlSeconds: Double
    package var help: String?
    /// Multiplier applied to observed values (statsd_exporter's `scale`), 1 when unset.
    package var scale: Double
    /// Index of the rule that matched, or nil when no rule matched (an unmapped metric).
    package var ruleIndex: Int?
    /// The matched rule's `tributary_max_series_per_metric`, overriding `--limits.max-series-per-metric`.
    package var maxSeriesPerMetric: Int? = nil
    /// Labels removed after tags and rule labels are merged (the rule's, else the defaults' label rules).
    package var labelFilter: LabelFilter = .none

    package init(
        action: Action, name: String, labels: [(name: String, value: String)] = [], honorLabels: Bool = false,
        observerType: ObserverType = .summary, histogramOptions: HistogramOptions = .statsdExporterDefault,
        summaryOptions: SummaryOptions = .statsdExporterDefault, ttlSeconds: Double = 0, help: String? = nil,
        scale: Double = 1, ruleIndex: Int? = nil
    ) {
        self.action = action
        self.name = name
        self.labels = labels
        self.honorLabels = honorLabels
        self.observerType = observerType
        self.histogramOptions = histogramOptions
        self.summaryOptions = summaryOptions
        self.ttlSeconds = ttlSeconds
        self.help = help
        self.scale = scale
        self.ruleIndex = ruleIndex
    }

    package static func == (lhs: MappingOutcome, rhs: MappingOutcome) -> Bool {
        lhs.action == rhs.action && lhs.name == rhs.name && lhs.honorLabels == rhs.honorLabels
            && lhs.labels.map(\.name) == rhs.labels.map(\.name) && lhs.labels.map(\.value) == rhs.labels.map(\.value)
            && lhs.observerType == rhs.observerType && lhs.histogramOptions == rhs.histogramOptions
            && lhs.summaryOptions == rhs.summaryOptions && lhs.ttlSeconds == rhs.ttlSeconds && lhs.help == rhs.help
            && lhs.scale == rhs.scale && lhs.ruleIndex == rhs.ruleIndex && lhs.labelFilter == rhs.labelFilter
    }
}
