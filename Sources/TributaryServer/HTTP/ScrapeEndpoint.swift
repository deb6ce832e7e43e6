import Synchronization
import TributaryCore

/// The `/metrics` body: the shards' series, then Tributary's own metrics, in the negotiated format.
///
/// ``body(for:)`` runs on an HTTP thread-pool thread (``HTTPOffload``), never on an event loop: it locks each shard
/// briefly to copy it and writes outside the locks. Several scrapes may run at once (the server caps them); they
/// share nothing but `lastScrapeSize`, an atomic hint. Gzip and `Content-Type` are the HTTP handler's job.
///
/// ```swift
/// let scrape = ScrapeEndpoint(shards: shards, statistics: statistics, reloader: reloader,
///                             httpRequests: counter, boundUDPPorts: { ingest.boundUDPPorts })
/// let endpoints = HTTPEndpoints(metrics: { format in scrape.body(for: format) })
/// ```
package final class ScrapeEndpoint: Sendable {
    private let shards: AggregationShards
    private let statistics: IngestStatistics
    private let reloader: MappingReloader
    private let httpRequestCounter: HTTPRequestCounter
    /// Persistence status (`--storage.path`), for the `tributary_snapshot_*` families; nil when off.
    private let snapshots: SnapshotStatus?
    /// The UDP reader ports, for kernel drop accounting (`tributary_udp_kernel_drops_total`).
    private let boundUDPPorts: @Sendable () -> [Int]
    /// `--statsd.relay.address`, for its counters.
    private let relay: StatsDRelay?
    /// Size of the previous scrape body in bytes, to reserve the next one's buffer in one allocation. Written by
    /// whichever thread-pool thread finished a scrape last (relaxed: only a hint).
    private let lastScrapeSize = Atomic<Int>(64 * 1024)

    package init(
        shards: AggregationShards, statistics: IngestStatistics, reloader: MappingReloader,
        httpRequests: HTTPRequestCounter, snapshots: SnapshotStatus? = nil,
        boundUDPPorts: @escaping @Sendable () -> [Int], relay: StatsDRelay? = nil
    ) {
        self.relay = relay
        self.snapshots = snapshots
        self.shards = shards
        self.statistics = statistics
        self.reloader = reloader
        self.httpRequestCounter = httpRequests
        self.boundUDPPorts = boundUDPPorts
    }

    /// One scrape in the negotiated format: the shard's series, then self-metrics. Runs on the HTTP thread pool.
    ///
    /// The only place that calls the core's exposition API for `/metrics`.
    package func body(for negotiated: NegotiatedExposition = .text004) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(self.lastScrapeSize.load(ordering: .relaxed) + 4096)
        let now = monotonicNanoseconds()
        self.shards.setWallClockOffset(seconds: wallClockOffsetSeconds())  // follows wall-clock steps between scrapes
        // One copy of each shard for the series and for the self-metric counts: a sample is either in both or in
        // neither, so a scrape never shows a count ahead of the series it describes. The shards are not merged
        // into one store: the view writes each family from the shard that holds it.
        var state = self.shards.scrape()
        let shardCounts = (counts: state.counts, seriesByKind: state.seriesCountByKind)
        switch negotiated.format {
        case .text:
            state.writeText(into: &bytes, now: now)
        case .openMetrics:
            var writer = OpenMetricsWriter(escaping: negotiated.escaping, reusing: bytes)
            state.visit(&writer, now: now)
            SelfMetricsWriter.write(self.selfMetricsSnapshot(shardCounts), into: &writer)
            bytes = writer.finish()
            self.lastScrapeSize.store(bytes.count, ordering: .relaxed)
            return bytes
        case .protobufDelimited:
            var writer = ProtobufWriter(escaping: negotiated.escaping)
            state.visit(&writer, now: now)
            SelfMetricsWriter.write(self.selfMetricsSnapshot(shardCounts), into: &writer)
            return writer.delimitedBytes()
        }
        SelfMetricsWriter.write(self.selfMetricsSnapshot(shardCounts), into: &bytes)
        self.lastScrapeSize.store(bytes.count, ordering: .relaxed)
        return bytes
    }

    /// Tributary's own counters and gauges for one scrape, each taken from the type that owns it.
    private func selfMetricsSnapshot(
        _ shard: (counts: IngestCounts, seriesByKind: [StorageKind: Int])
    ) -> SelfMetricsSnapshot {
        let merged = SelfMetricsSnapshot.merging([shard])
        let udpPorts = self.boundUDPPorts()
        let drops: UInt64? =
            udpPorts.isEmpty ? nil : Set(udpPorts).compactMap { KernelUDPDrops.read(port: $0) }.reduce(0, +)
        return SelfMetricsSnapshot(
            ingest: merged.counts,
            seriesByKind: merged.seriesByKind,
            listeners: self.statistics.listenerCounts(),
            udpKernelDrops: drops,
            reloadSuccesses: self.reloader.successes.load(ordering: .relaxed),
            reloadFailures: self.reloader.failures.load(ordering: .relaxed),
            loadedMappings: self.reloader.mapper.ruleCount,
            build: .init(version: TributaryVersion.current, swiftVersion: TributaryVersion.swift),
            httpRequests: self.httpRequestCounter.snapshot(),
            httpRequestErrors: self.httpRequestCounter.failureSnapshot(),
            processStartTimeSeconds: ProcessMetrics.currentStartTimeSeconds(),
            residentMemoryBytes: ProcessMetrics.currentResidentMemoryBytes(),
            relay: self.relay?.counts,
            storage: self.snapshots.map { .init(status: $0.current, nowSeconds: wallClockSeconds()) }
        )
    }
}
