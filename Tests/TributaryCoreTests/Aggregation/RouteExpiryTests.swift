import Testing

@testable import TributaryCore

/// TTL expiry and the route cache: routes to live series survive an expiry, routes to expired series are
/// recomputed (never applied to a freed or reused id), budget-bound routes are recomputed so freed room is used.
struct RouteExpiryTests {
    @Test
    func expiryKeepsRoutesOfLiveSeriesAndRecomputesStaleOnes() {
        var state = ShardState(mapper: .with(ttlSeconds: 1))
        state.apply("a:1|c|#k:v\nb:1|c", now: 0)
        state.apply("b:1|c", now: 900_000_000)
        #expect(state.expire(now: 1_500_000_000) == 1)
        #expect(state.routes.count == 2, "the expiry kept the cached routes")
        // `c` takes the id `a` had; `a`'s cached route must not write into it.
        state.apply("c:5|c", now: 1_500_000_000)
        state.apply("a:2|c|#k:v", now: 1_600_000_000)
        #expect(state.routes.count == 3, "a's stale route was recomputed in place")
        let exposition = state.exposition(now: 1_600_000_000)
        #expect(exposition.value("a", ["k": "v"]) == 2)
        #expect(exposition.value("b") == 2)
        #expect(exposition.value("c") == 5)
        #expect(state.liveSeriesCount == 3)
    }

    @Test
    func aRouteToAnExpiredSeriesNeverWritesToItsFreedSlot() {
        var state = ShardState(mapper: .with(ttlSeconds: 1))
        state.apply("gone:1|g", now: 0)
        #expect(state.expire(now: 2_000_000_000) == 1)
        state.apply("gone:7|g", now: 2_000_000_000)
        #expect(state.exposition(now: 2_000_000_000).value("gone") == 7)
        #expect(state.liveSeriesCount == 1)
    }

    @Test
    func budgetBoundRoutesAreRecomputedAfterExpiry() {
        var state = ShardState(
            settings: AggregationSettings(limits: SeriesLimits(maxSeriesPerMetric: 1)), mapper: .with(ttlSeconds: 1))
        state.apply("h:1|c|#k:1\nh:1|c|#k:2", now: 0)
        #expect(state.counts.seriesLimited == ["h": 1])
        #expect(state.expire(now: 1_000_000_000) == 1)
        state.apply("h:3|c|#k:2", now: 1_000_000_000)
        #expect(state.exposition(now: 1_000_000_000).value("h", ["k": "2"]) == 3)
    }

    /// A stale route whose series' id (and value slot) went to a series of another kind is resolved again, never
    /// applied through its cached slot and kind; a route older than several expiries is still used when its
    /// series lived through them.
    @Test
    func aStaleRouteNeverWritesThroughItsCachedSlotAndKind() {
        var state = ShardState(mapper: .with(ttlSeconds: 1))
        state.apply("keep:1|c\nx:1|g", now: 0)
        state.apply("keep:1|c", now: 900_000_000)
        #expect(state.expire(now: 1_500_000_000) == 1)  // x
        state.apply("y:0.5|h\nkeep:1|c", now: 1_500_000_000)  // y takes x's id
        #expect(state.expire(now: 2_000_000_000) == 0)
        state.apply("x:5|g\nkeep:1|c", now: 2_000_000_000)
        let exposition = state.exposition(now: 2_000_000_000)
        #expect(exposition.value("x") == 5)
        #expect(exposition.value("keep") == 4)
        #expect(exposition.value("y_count") == 1)
        #expect(state.liveSeriesCount == 3)
    }

    /// A route stays within 48 bytes, so a route cache entry (hash, key position and route) fills one 64-byte line.
    @Test
    func aRouteFitsItsCacheLine() {
        #expect(MemoryLayout<Route>.size <= 48)
    }
}
