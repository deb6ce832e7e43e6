import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import TributaryCore
import UnixSignals

/// Wires one Tributary process: shard, listeners, HTTP, maintenance, all in one `ServiceGroup`.
///
/// Data flow: listener thread → `AggregationShard.apply` (inline, one lock per datagram; or, with
/// `--statsd.ingest-threads N`, UDP readers → batches by metric name → N worker threads, one shard each) →
/// scrape thread → shard copies merged → `writeText` + self-metrics → gzip → HTTP response.
package final class TributaryApplication: Sendable {
    package let configuration: TributaryConfiguration
    package let shards: AggregationShards
    /// The shard TCP, Unix datagram and JSON feed listeners apply to (the only one by default).
    package var shard: AggregationShard { self.shards.primary }
    package let statistics = IngestStatistics()
    package let readiness: Readiness
    package let reloader: MappingReloader
    package let ingest: StatsDIngestService
    package let jsonIngest: JSONIngestService
    let logger: Logger
    let httpRequestCounter = HTTPRequestCounter()
    /// Size of the previous scrape body, to reserve the next one's buffer in one allocation.
    let lastScrapeSize = Atomic<Int>(64 * 1024)
    /// Monotonic ns when the application was created, for `uptime_seconds` in `/api/v1/status`.
    let startedAt = monotonicNanoseconds()

    package init(configuration: TributaryConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.shards = AggregationShards(count: configuration.statsd.ingestThreads, settings: configuration.aggregation)
        self.shards.setWallClockOffset(seconds: wallClockOffsetSeconds())
        self.readiness = Readiness(components: configuration.statsd.readinessComponents.union(configuration.json.readinessComponents).union(["config", "http"]))
        self.reloader = MappingReloader(path: configuration.mappingConfigPath, shards: self.shards.all, logger: logger)
        self.ingest = StatsDIngestService(
            configuration: configuration.statsd, shards: self.shards, statistics: self.statistics,
            readiness: self.readiness, logger: logger)
        self.jsonIngest = JSONIngestService(
            configuration: configuration.json, shard: self.shards.primary, statistics: self.statistics,
            readiness: self.readiness, logger: logger)
    }

    /// Loads the mapping (failing start-up on a bad file, like statsd_exporter), then runs every
    /// service until SIGTERM/SIGINT.
    package func run() async throws {
        if case .failure(let error) = self.reloader.reload() {
            throw error
        }
        self.readiness.markReady("config")
        let http = try self.makeHTTPService()
        // Graceful shutdown runs in reverse order, each service after the previous one finished: the listeners
        // stop first (what they read is applied), then maintenance, then HTTP (after `--web.shutdown-grace`).
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: http),
                    .init(
                        service: MaintenanceService(
                            shards: self.shards.all, reloader: self.reloader,
                            expiryInterval: .milliseconds(Int64(self.configuration.expiryIntervalSeconds * 1000)),
                            logger: self.logger)),
                    .init(service: self.jsonIngest),
                    .init(service: self.ingest),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: self.logger
            )
        )
        try await group.run()
    }
}
