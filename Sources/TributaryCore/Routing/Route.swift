/// What a cached line shape resolves to, as the hot path needs it. Built from a ``RouteDecision`` once per shape;
/// recomputed after a reload or expiry.
struct Route: Sendable {
    enum Kind: Sendable {
        case apply(series: Int32)
        /// Over a cardinality budget with `overflow: fold`: applied to the metric's overflow series and counted under
        /// the metric name (an index into ``RouteCache``'s metric names).
        case folded(series: Int32, metric: Int32)
        /// A mapping rule's `action: drop`.
        case drop
        /// Over a cardinality budget with `overflow: drop`; counted under the metric name.
        case limited(metric: Int32)
        /// Rejected; `metric` (or -1) names the metric for rejections counted by name.
        case rejected(RouteRejection, metric: Int32)
    }

    // Stored properties in this order keep a route at 48 bytes, so that a route cache entry (key position, hash
    // and route) is one 64-byte line: `RouteTests` checks the size.
    var kind: Kind
    var hasTags = false
    /// No mapping rule matched the name.
    var unmapped = false
    /// The storage kind of ``series`` (`apply` and `folded` routes).
    var storage: StorageKind = .counter
    /// Tags skipped as invalid in this line shape, counted on every line like statsd_exporter.
    var tagErrors: UInt32 = 0
    var scaling = Scaling()
    /// Index of this name in ``UnmappedNames`` (for its sample count), or -1.
    var unmappedEntry: Int32 = -1
    /// The ``SeriesRecord/generation`` of the series this route applies to when it was resolved; the route is stale
    /// once the series expired and its id went to another series.
    var seriesGeneration: UInt32 = 0
    /// The slot of ``series`` in its kind's value column (`apply` and `folded` routes), so that the hot path goes
    /// from the route to the value without reading the series record.
    var slot: Int32 = 0
    /// The ``SeriesStore/expiryEpoch`` under which the route was last known to be current: while it still is, no
    /// series expired since, and the generation need not be checked.
    var epoch: UInt32 = 0

    /// The series an `apply` or `folded` route writes to.
    @inline(__always)
    var series: Int32? {
        switch self.kind {
        case .apply(let series), .folded(let series, _): series
        case .drop, .limited, .rejected: nil
        }
    }

    /// Whether the route depends on room under a budget (`limited`, `folded`): such routes are recomputed when
    /// series expire, so the room is used again.
    var isBudgetBound: Bool {
        switch self.kind {
        case .limited, .folded: true
        case .apply, .drop, .rejected: false
        }
    }

    static func rejected(_ reason: RouteRejection) -> Route { Route(kind: .rejected(reason, metric: -1)) }
}
