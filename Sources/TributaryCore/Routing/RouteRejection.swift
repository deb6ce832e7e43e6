/// Why a route rejects a sample, the same for StatsD lines and JSON feed objects. Each protocol counts it under its
/// own reason through a small table (``statsdFailure``, ``jsonFailure``).
package enum RouteRejection: String, Error, Sendable, Equatable, CaseIterable, Encodable {
    /// The name section is not UTF-8 or its name is empty (StatsD), or the object's `name` is unusable (JSON).
    case badName = "bad_name"
    /// Name-embedded tags together with DogStatsD tags (StatsD only).
    case mixedTaggingStyles = "mixed_tagging_styles"
    /// A label name that escapes to nothing or repeats (JSON only).
    case badLabel = "bad_label"
    /// More labels than `--limits.max-labels`.
    case tooManyLabels = "too_many_labels"
    /// A label value longer than `--limits.max-label-value-bytes`.
    case labelValueTooLong = "label_value_too_long"
    /// The name is taken by a family of another type, or collides with a summary's or histogram's
    /// `_sum`/`_count`/`_bucket` series.
    case typeConflict = "type_conflict"
    /// The name is in Tributary's reserved `tributary_` namespace (its own self-metrics).
    case reservedName = "reserved_name"

    /// Whether the rejection is counted per metric name (`tributary_events_conflict_total{metric_name}`).
    package var countsByMetricName: Bool { self == .typeConflict || self == .reservedName }

    /// The `tributary_sample_errors_total` reason a StatsD line counts under.
    package var statsdFailure: ParseFailure { Self.statsdTable[self]! }
    /// The `tributary_json_errors_total` reason a JSON feed object counts under.
    package var jsonFailure: JSONFeedFailure { Self.jsonTable[self]! }

    private static let statsdTable: [RouteRejection: ParseFailure] = [
        .badName: .malformedLine, .mixedTaggingStyles: .mixedTaggingStyles, .badLabel: .malformedLine,
        .tooManyLabels: .tooManyLabels, .labelValueTooLong: .labelValueTooLong, .typeConflict: .typeConflict,
        .reservedName: .typeConflict,
    ]
    private static let jsonTable: [RouteRejection: JSONFeedFailure] = [
        .badName: .badName, .mixedTaggingStyles: .badName, .badLabel: .badLabel, .tooManyLabels: .tooManyLabels,
        .labelValueTooLong: .labelValueTooLong, .typeConflict: .typeConflict, .reservedName: .typeConflict,
    ]
}
