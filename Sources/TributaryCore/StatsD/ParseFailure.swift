/// Why a StatsD line or one of its samples was rejected. Payload-free: the caller counts by reason.
///
/// `label` values follow statsd_exporter's `sample_errors_total{reason}` where it has one, so existing
/// alerts keep working; reasons statsd_exporter does not have are Tributary's own.
package enum ParseFailure: Int, Error, Sendable, CaseIterable {
    /// No `:` after a non-empty name, empty name, or bytes that are not UTF-8.
    case malformedLine
    /// A sample without `value|type`, or an empty component.
    case malformedComponent
    /// The value is not a number.
    case malformedValue
    /// `@rate` not a number, or outside (0, 1]. statsd_exporter treats a bad rate as 1; we reject the sample.
    case invalidSampleRate
    /// A `|` component that is none of `@rate`, `#tags`, `c:container`, `e:external-env`, `card:cardinality`,
    /// `Ttimestamp`.
    case unknownComponent
    /// The type is none of `c`, `g`, `ms`, `h`, `d`, `s`.
    case unknownType
    /// `name:1:2:3|c` — several values are only allowed for `ms`, `h` and `d`.
    case invalidExtendedAggregateType
    /// DogStatsD tags together with InfluxDB/Librato/SignalFX tags in one line.
    case mixedTaggingStyles
    /// A counter increment below zero.
    case negativeCounter
    /// The sample would change the type of an existing metric (`tributary_events_conflict_total` has the detail).
    case typeConflict
    /// A line longer than the configured limit.
    case lineTooLong
    /// More labels (tags plus mapping labels) than `--limits.max-labels`.
    case tooManyLabels
    /// A label value longer than `--limits.max-label-value-bytes` (rejected, not truncated: truncation could
    /// silently merge distinct series).
    case labelValueTooLong
    /// A DogStatsD container id component that is not `c:<id>` with a non-empty id (`|c`, `|c:`, `|cfoo`), as
    /// statsd_exporter 0.29+.
    case malformedContainerID

    /// The `reason` label value.
    package var label: String {
        switch self {
        case .malformedLine: "malformed_line"
        case .malformedComponent: "malformed_component"
        case .malformedValue: "malformed_value"
        case .invalidSampleRate: "invalid_sample_factor"
        case .unknownComponent: "unknown_component"
        case .unknownType: "illegal_event"
        case .invalidExtendedAggregateType: "invalid_extended_aggregate_type"
        case .mixedTaggingStyles: "mixed_tagging_styles"
        case .negativeCounter: "illegal_negative_counter"
        case .typeConflict: "type_conflict"
        case .lineTooLong: "line_too_long"
        case .tooManyLabels: "too_many_labels"
        case .labelValueTooLong: "label_value_too_long"
        case .malformedContainerID: "malformed_container_id"
        }
    }
}
