/// How a family's series are stored, which decides its Prometheus type.
///
/// Code that needs a kind's value type goes through ``dispatch(_:)`` (one switch for allocation, release, merge and
/// exposition); the ingest hot path in ``SeriesStore`` has the only other switch.
package enum StorageKind: Int, Sendable, CaseIterable {
    case counter
    case gauge
    /// A StatsD set, exported as a gauge of distinct members.
    case set
    case summary
    case histogram

    /// The `# TYPE` word, by raw value.
    private static let prometheusTypes = ["counter", "gauge", "gauge", "summary", "histogram"]
    /// The `metric_type` self-metric label, by raw value.
    private static let labels = ["counter", "gauge", "set", "summary", "histogram"]

    /// The `# TYPE` word.
    package var prometheusType: String { Self.prometheusTypes[self.rawValue] }

    /// The `metric_type` label used in self-metrics.
    package var label: String { Self.labels[self.rawValue] }

    /// Whether observations (timers, histograms, distributions) are stored here, scaled by the mapping.
    package var isObserver: Bool { self == .summary || self == .histogram }

    /// Calls `visitor` with this kind's column of `columns`: the one place a kind becomes a value type.
    @inline(__always)
    func dispatch<Visitor: ColumnVisitor>(_ columns: inout ValueColumns, _ visitor: inout Visitor) -> Visitor.Result {
        switch self {
        case .counter: visitor.visit(&columns.counters)
        case .gauge: visitor.visit(&columns.gauges)
        case .set: visitor.visit(&columns.sets)
        case .summary: visitor.visit(&columns.summaries)
        case .histogram: visitor.visit(&columns.histograms)
        }
    }
}

/// An operation written once, generically over a kind's value column, and run through
/// ``StorageKind/dispatch(_:_:)``: allocation, release, merge and exposition.
protocol ColumnVisitor {
    associatedtype Result
    mutating func visit<Value: SeriesValue>(_ column: inout ValueColumn<Value>) -> Result
}
