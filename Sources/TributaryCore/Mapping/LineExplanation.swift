/// How one StatsD line is parsed, mapped and exported: produced by ``LineExplainer``, rendered as JSON by
/// `GET /api/v1/explain` and `tributary explain --json` (keys in snake_case), or as text by ``text``.
///
/// ```json
/// {"line":"web.home.requests:1|c|#env:prod","kind":"metric","name":"web.home.requests",
///  "samples":[{"statsd_type":"c","value":1,"sample_rate":1}],"tags":[{"name":"env","value":"prod"}],
///  "results":[{"statsd_type":"c","prometheus_type":"counter","series":"web_requests_total{env=\"prod\",…}",…}]}
/// ```
package struct LineExplanation: Sendable, Equatable, Encodable {
    /// One sample of the line, or why it was rejected.
    package struct Sample: Sendable, Equatable, Encodable {
        package var statsdType: String?
        /// Absent for sets (members are hashed, not numbers) and rejected samples.
        package var value: Double?
        package var sampleRate: Double?
        /// Gauges only: a `+`/`-` value adds to the gauge instead of setting it.
        package var relative: Bool?
        /// The `sample_errors_total` reason when rejected (e.g. `malformed_value`, `illegal_negative_counter`).
        package var error: String?

        enum CodingKeys: String, CodingKey {
            case statsdType = "statsd_type"
            case value
            case sampleRate = "sample_rate"
            case relative, error
        }
    }

    /// The mapping of the line for one StatsD type (a line may hold several: `a:1|c:2|ms`).
    package struct Result: Sendable, Equatable, Encodable {
        package var statsdType: String
        package var mapping: MappingExplanation
        /// `counter`, `gauge`, `summary`, `histogram`; nil when the rule drops the metric.
        package var prometheusType: String?
        /// Tags merged with the rule's labels, each with its source.
        package var labels: [LineShape.Label]
        /// Merged labels the mapping's label rules (`tributary_drop_labels`, `tributary_keep_labels`) removed.
        package var droppedLabels: [LineShape.Label] = []
        /// `name{labels}` as exposed (label names sorted, values escaped); nil when dropped.
        package var series: String?
        /// Factor applied to observed values (0.001 for `ms`, times `scale`).
        package var valueMultiplier: Double
        /// What ingest does with the sample: `accept`, `folded`, `drop`, `limited` or a rejection reason
        /// (`too_many_labels`, `type_conflict`, `reserved_name`, …), from the same ``RouteDecision`` ingest carries out.
        package var verdict: String
        /// What a live shard already holds for this series (HTTP API only).
        package var existing: SeriesCheck?
        /// The shape behind this result, for callers that check it against a shard (not encoded).
        package var shape: LineShape?

        enum CodingKeys: String, CodingKey {
            case statsdType = "statsd_type"
            case mapping
            case prometheusType = "prometheus_type"
            case labels
            case droppedLabels = "dropped_labels"
            case series
            case valueMultiplier = "value_multiplier"
            case verdict, existing
        }

        package static func == (lhs: Result, rhs: Result) -> Bool {
            lhs.statsdType == rhs.statsdType && lhs.mapping == rhs.mapping && lhs.prometheusType == rhs.prometheusType
                && lhs.labels == rhs.labels && lhs.droppedLabels == rhs.droppedLabels && lhs.series == rhs.series
                && lhs.valueMultiplier == rhs.valueMultiplier
                && lhs.verdict == rhs.verdict && lhs.existing == rhs.existing
        }
    }

    /// `metric`, `dogstatsd_event`, `dogstatsd_service_check` or `empty` (the last three are not exported).
    package var line: String
    package var kind: String
    /// The line-level rejection reason (`malformed_line`, `mixed_tagging_styles`, …), nil when the line parsed.
    package var error: String?
    /// The StatsD name with name-embedded tags removed.
    package var name: String?
    package var samples: [Sample]
    /// The line's tags as labels (keys escaped), in line order.
    package var tags: [MappingExplanation.Label]
    /// Tags skipped as invalid (counted in `tributary_tag_errors_total`).
    package var tagErrors: Int
    /// One result per distinct StatsD type among the accepted samples, in line order.
    package var results: [Result]
    /// Trailing components accepted but ignored, as sent (`e:…`, `card:…`, `T…`; `c:<id>` with
    /// `--no-statsd.container-id-label`, `#tags` with `--no-statsd.parse-dogstatsd-tags`).
    package var ignored: [String] = []

    enum CodingKeys: String, CodingKey {
        case line, kind, error, name, samples, tags
        case tagErrors = "tag_errors"
        case results, ignored
    }
}
