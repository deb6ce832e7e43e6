/// Self-observation counts kept by a shard under its lock (plain integers, no atomics on the hot path). Written by
/// the protocol front-ends (`ShardState+StatsD`, `ShardState+JSONFeed`) and by ``ShardState/record(_:from:type:line:)``.
package struct IngestCounts: Sendable {
    package var lines: UInt64 = 0
    package var samples: UInt64 = 0
    package var sampleErrors = [UInt64](repeating: 0, count: ParseFailure.allCases.count)
    package var linesWithTags: UInt64 = 0
    package var tagErrors: UInt64 = 0
    /// Accepted samples by `MatchMetricType`: counter, gauge, observer. Plain fields, not an array, so counting on
    /// the hot path is one add with no uniqueness check.
    package var counterEvents: UInt64 = 0
    package var gaugeEvents: UInt64 = 0
    package var observerEvents: UInt64 = 0
    /// Accepted StatsD samples no mapping rule matched (`tributary_events_unmapped_total`).
    package var unmapped: UInt64 = 0
    package var dropped: UInt64 = 0
    package var dogStatsDEvents: UInt64 = 0
    package var dogStatsDServiceChecks: UInt64 = 0
    /// Conflicting samples by metric name.
    package var conflicts: [String: UInt64] = [:]
    package var expiredSeries: UInt64 = 0
    /// Samples that would have created a series beyond a cardinality budget, by metric name (at most
    /// ``SeriesLimits/limitedNamesLimit`` names, then ``SeriesLimits/otherMetricName``).
    package var seriesLimited: [String: UInt64] = [:]
    /// Non-empty JSON feed lines (including over-long ones).
    package var jsonLines: UInt64 = 0
    /// JSON feed objects accepted (applied to a series, or dropped by a mapping rule's `action: drop`).
    package var jsonSamples: UInt64 = 0
    /// Accepted JSON feed objects no mapping rule matched (shown on the status page).
    package var jsonUnmapped: UInt64 = 0
    /// Rejected JSON feed objects (and over-long lines), indexed by ``JSONFeedFailure``.
    package var jsonErrors = [UInt64](repeating: 0, count: JSONFeedFailure.allCases.count)

    package init() {}

    /// The three event counts, indexed by ``matchIndex(_:)``.
    package var eventsByType: [UInt64] {
        get { [self.counterEvents, self.gaugeEvents, self.observerEvents] }
        set {
            self.counterEvents = newValue[0]
            self.gaugeEvents = newValue[1]
            self.observerEvents = newValue[2]
        }
    }

    /// Counts one accepted sample of `type`.
    @inline(__always)
    package mutating func countEvent(_ type: MatchMetricType) {
        switch type {
        case .counter: self.counterEvents &+= 1
        case .gauge: self.gaugeEvents &+= 1
        case .observer: self.observerEvents &+= 1
        }
    }

    package static func matchIndex(_ type: MatchMetricType) -> Int {
        switch type {
        case .counter: 0
        case .gauge: 1
        case .observer: 2
        }
    }

    /// Adds `other`'s counts (conflict and limited names union), for scrapes over several shards.
    package mutating func add(_ other: IngestCounts) {
        self.lines &+= other.lines
        self.samples &+= other.samples
        for index in self.sampleErrors.indices { self.sampleErrors[index] &+= other.sampleErrors[index] }
        self.linesWithTags &+= other.linesWithTags
        self.tagErrors &+= other.tagErrors
        self.counterEvents &+= other.counterEvents
        self.gaugeEvents &+= other.gaugeEvents
        self.observerEvents &+= other.observerEvents
        self.unmapped &+= other.unmapped
        self.dropped &+= other.dropped
        self.dogStatsDEvents &+= other.dogStatsDEvents
        self.dogStatsDServiceChecks &+= other.dogStatsDServiceChecks
        for (name, count) in other.conflicts { self.conflicts[name, default: 0] &+= count }
        self.expiredSeries &+= other.expiredSeries
        for (name, count) in other.seriesLimited { self.seriesLimited[name, default: 0] &+= count }
        self.jsonLines &+= other.jsonLines
        self.jsonSamples &+= other.jsonSamples
        self.jsonUnmapped &+= other.jsonUnmapped
        for index in self.jsonErrors.indices { self.jsonErrors[index] &+= other.jsonErrors[index] }
    }
}
