import Synchronization

/// Every aggregation shard of a process: one by default, one per ingest worker thread with
/// `--statsd.ingest-threads N`.
///
/// Writers pick a shard (StatsD UDP lines by their name through ``StatsDLinePartition``; TCP, Unix datagram and
/// the JSON feed use ``primary``). Readers see one state: `/metrics` writes ``scrape()``, which walks the shards'
/// copies as one (``MergedSeriesView``) without merging them; ``scrapeCopy()`` merges them into one store with
/// ``ShardState/absorb(_:)`` for the cardinality report and the tools.
package final class AggregationShards: Sendable {
    package let all: [AggregationShard]
    /// The process's budgets as configured (each shard holds its share of `--limits.max-series`).
    package let limits: SeriesLimits
    /// The last scrape's merge plan (``MergedSeriesView/Plan``), reused while no shard's families changed.
    private let mergePlan = Mutex<MergedSeriesView.Plan?>(nil)

    /// The shard of listeners that do not partition their input.
    package var primary: AggregationShard { self.all[0] }

    /// - Parameter count: number of shards (at least 1). `--limits.max-series` is split evenly between them (each
    ///   shard enforces its part on its own slow path, with no shared counter on the hot path).
    package init(count: Int = 1, settings: AggregationSettings = AggregationSettings(), mapper: CompiledMapper = .empty) {
        let count = max(1, count)
        self.limits = settings.limits
        var perShard = settings
        if count > 1 && settings.limits.maxSeries > 0 {
            perShard.limits.maxSeries = (settings.limits.maxSeries + count - 1) / count
        }
        self.all = (0..<count).map { _ in AggregationShard(settings: perShard, mapper: mapper) }
    }

    /// One consistent copy per shard, merged into one store (what ``scrape()`` writes, at the cost of copying every
    /// shard after the first). With one shard, the plain copy.
    package func scrapeCopy() -> ShardState {
        var merged = self.all[0].scrapeCopy()
        for shard in self.all.dropFirst() { merged.absorb(shard.scrapeCopy()) }
        return merged
    }

    /// What a scrape writes: every shard's copy seen as one (``MergedSeriesView``, no merged store is built) and the
    /// shards' counts summed. Same series and order as ``scrapeCopy()``'s.
    package func scrape() -> Scrape {
        let copies = self.all.map { $0.scrapeCopy() }
        var counts = copies[0].counts
        for copy in copies.dropFirst() { counts.add(copy.counts) }
        let series = MergedSeriesView(copies.map(\.store), reusing: self.mergePlan.withLock { $0 })
        if let plan = series.plan { self.mergePlan.withLock { $0 = plan } }
        return Scrape(counts: counts, series: series)
    }

    /// One scrape's state: the merged series and the summed counts, taken at one instant per shard.
    package struct Scrape: Sendable {
        package let counts: IngestCounts
        package var series: MergedSeriesView

        package var seriesCountByKind: [StorageKind: Int] { self.series.seriesCountByKind }

        /// Appends the text exposition (format 0.0.4) of every series to `bytes`.
        package mutating func writeText(into bytes: inout [UInt8], now: UInt64) {
            var writer = TextWriter(appendingTo: bytes)
            bytes = []
            self.series.visit(&writer, now: now)
            bytes = writer.bytes
        }

        package mutating func visit(_ sink: inout some ExpositionSink, now: UInt64) {
            self.series.visit(&sink, now: now)
        }
    }

    /// The `limit` metric names holding the most series and their labels, from a merged ``scrapeCopy()``: the shards
    /// are locked only to copy, the report is computed outside every lock.
    package func cardinalityReport(limit: Int) -> CardinalityReport {
        let copy = self.scrapeCopy()
        return CardinalityReport.make(store: copy.store, counts: copy.counts, limits: self.limits, limit: limit)
    }

    /// Self-observation and series counts of each shard (for ``SelfMetricsSnapshot``-style merging).
    package func snapshots() -> [(counts: IngestCounts, seriesByKind: [StorageKind: Int])] {
        self.all.map { $0.snapshot() }
    }

    /// The route decision for this name, labels and type (for the explainer): from the shard that holds a family of
    /// the resulting name, else from the primary shard. (StatsD lines are spread over shards by name, so one name's
    /// family lives in one shard.)
    package func decide(tags: StatsDTagParser.Resolved, request: RouteRequest) -> RouteDecision {
        let primary = self.primary.decide(tags: tags, request: request)
        for shard in self.all.dropFirst() {
            let decision = shard.decide(tags: tags, request: request)
            if decision.existingFamilyStorage != nil || decision.conflictingFamily != nil { return decision }
        }
        return primary
    }

    /// The unmapped names of every shard, merged.
    package func unmappedNames() -> UnmappedNames {
        var merged = self.all[0].unmappedNames()
        for shard in self.all.dropFirst() { merged.absorb(shard.unmappedNames()) }
        return merged
    }

    package func setWallClockOffset(seconds: Double) {
        for shard in self.all { shard.setWallClockOffset(seconds: seconds) }
    }
}
