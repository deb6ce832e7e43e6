/// The `type` of a JSON feed object.
package enum JSONFeedType: UInt8, Sendable, CaseIterable {
    case counter
    case gauge
    case histogram
    case summary
    /// Milliseconds, exported in seconds like StatsD `ms`.
    case timer
    case set

    /// The StatsD type mapping rules see (`match_metric_type`): observers match `observer`.
    package var mappingType: StatsDType {
        switch self {
        case .counter: .counter
        case .gauge: .gauge
        case .histogram: .histogram
        case .summary: .distribution
        case .timer: .timer
        case .set: .set
        }
    }

    /// The storage the type fixes regardless of mapping; nil when the mapping's `observer_type` decides.
    ///
    /// `histogram` and `summary` are explicit in the feed, so they stay what they say; a `timer` follows the
    /// mapping like StatsD `ms`, unless the object gives `buckets`, which makes it a histogram.
    package func fixedStorage(hasBuckets: Bool) -> StorageKind? {
        switch self {
        case .counter: .counter
        case .gauge: .gauge
        case .set: .set
        case .histogram: .histogram
        case .summary: .summary
        case .timer: hasBuckets ? .histogram : nil
        }
    }
}

/// One parsed JSON feed object, as byte ranges into its line plus the scalar fields.
///
/// Nothing is decoded into a `String` here: the aggregation layer keys its route cache on the raw `name` and
/// `labels` bytes and decodes them (``JSONFeedParser/decodeString(_:_:)``) only for a series seen the first
/// time. A scalar `value` is kept here (``value``, or ``memberHash`` for a set); the elements of an array value
/// live in the caller's ``JSONFeedScratch`` (``valuesInScratch``).
package struct JSONFeedSample: Sendable, Equatable {
    package var type: JSONFeedType
    /// Gauge only: `"op": "add"` adds the value instead of setting it.
    package var gaugeAdd = false
    /// The raw content of the `name` string (between the quotes, escapes not decoded).
    package var name: Range<Int>
    /// The raw `labels` object including its braces, or nil.
    package var labels: Range<Int>?
    /// In (0, 1]; 1 when absent.
    package var sampleRate: Double = 1
    /// Raw content of the `help` string.
    package var help: Range<Int>?
    /// Raw content of the `unit` string (validated and kept; the text format 0.0.4 has no `# UNIT`).
    package var unit: Range<Int>?
    /// The raw `buckets` array including its brackets (already checked to be strictly increasing).
    package var buckets: Range<Int>?
    /// `timestamp` in milliseconds since the epoch (kept; aggregated series are exported without timestamps).
    package var timestampMilliseconds: Double?
    /// Raw contents of `exemplar.trace_id` and `exemplar.span_id` (kept for the exemplar exposition).
    package var exemplarTraceID: Range<Int>?
    package var exemplarSpanID: Range<Int>?
    /// True when `value` was an array: its elements are in the scratch's `values` (or `members` for a set);
    /// false when it was one value, held by ``value`` (or ``memberHash``).
    package var valuesInScratch = false
    /// The scalar value (not a set's).
    package var value: Double = 0
    /// A set's scalar member: the hash of its bytes (a string's raw content, or a number's token).
    package var memberHash: UInt64 = 0

    package init(type: JSONFeedType, name: Range<Int>) {
        self.type = type
        self.name = name
    }
}

/// Reusable buffers for the values of an array `value` (no allocation per object once warm).
package struct JSONFeedScratch: Sendable {
    /// The observations (or increments, or gauge values) in order.
    package var values: [Double] = []
    /// Set only: hashes of the members' bytes.
    package var members: [UInt64] = []

    package init() {}
}
