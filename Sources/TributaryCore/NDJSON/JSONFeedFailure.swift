/// Why a JSON feed line or one of its objects was rejected. Payload-free: the caller counts by reason
/// (`tributary_json_errors_total{reason}`).
///
/// Every object of the feed ends up counted exactly once: in `tributary_json_samples_total` or here.
package enum JSONFeedFailure: Int, Error, Sendable, CaseIterable {
    /// Not JSON, or not an object (or array of objects): the rest of the line is skipped.
    case invalidJSON
    /// Nested deeper than ``JSONFeedParser/maxDepth``.
    case tooDeep
    /// No `name` field.
    case missingName
    /// `name` is not a non-empty string of valid UTF-8.
    case badName
    /// No `type` field.
    case missingType
    /// `type` is not one of `counter`, `gauge`, `histogram`, `summary`, `timer`, `set`.
    case unknownType
    /// No `value` field.
    case missingValue
    /// `value` is not a finite number or a non-empty array of them (sets also take strings).
    case badValue
    /// A counter increment below zero.
    case negativeCounter
    /// `sample_rate` is not a number in (0, 1].
    case badSampleRate
    /// `labels` is not an object of string values, or a key is empty or repeated after escaping.
    case badLabel
    /// `buckets` is not a non-empty, strictly increasing array of finite numbers, or is given for a summary.
    case badBuckets
    /// `op`, `help`, `unit`, `timestamp` or `exemplar` has the wrong shape (or `op` on a non-gauge).
    case badField
    /// A field the format does not define (typos such as `lables` would otherwise lose data silently).
    case unknownField
    /// The sample would change the type of an existing metric (`tributary_events_conflict_total` has the name).
    case typeConflict
    /// A stream line longer than `--json.max-line-bytes` (counted per line, its objects are not parsed).
    case lineTooLong
    /// More labels than `--limits.max-labels`.
    case tooManyLabels
    /// A label value longer than `--limits.max-label-value-bytes`.
    case labelValueTooLong

    /// The `reason` label value.
    package var label: String {
        switch self {
        case .invalidJSON: "invalid_json"
        case .tooDeep: "too_deep"
        case .missingName: "missing_name"
        case .badName: "bad_name"
        case .missingType: "missing_type"
        case .unknownType: "unknown_type"
        case .missingValue: "missing_value"
        case .badValue: "bad_value"
        case .negativeCounter: "negative_counter"
        case .badSampleRate: "bad_sample_rate"
        case .badLabel: "bad_label"
        case .badBuckets: "bad_buckets"
        case .badField: "bad_field"
        case .unknownField: "unknown_field"
        case .typeConflict: "type_conflict"
        case .lineTooLong: "line_too_long"
        case .tooManyLabels: "too_many_labels"
        case .labelValueTooLong: "label_value_too_long"
        }
    }

    /// True for failures after which the parser cannot find the next object of a batch.
    var isSyntactic: Bool { self == .invalidJSON || self == .tooDeep }
}
