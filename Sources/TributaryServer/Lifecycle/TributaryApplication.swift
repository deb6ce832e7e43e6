import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TributaryCore
import UnixSignals

/// Wires one Tributary process: shards, listeners, HTTP, maintenance, all in one `ServiceGroup`.
///
/// Data flow: listener thread → `AggregationShard.apply` (inline, one lock per datagram; or, with
/// `--statsd.ingest-threads N`, UDP readers → batches by metric name → N worker threads, one shard each) →
/// scrape thread (``ScrapeEndpoint``) → shard copies merged → exposition + self-metrics → gzip → HTTP response.
///
/// Threads: the ingest listeners run on `ingestGroup` (by default NIO's singleton group). A UDP reader may block its
/// thread there while a worker has no free batch buffer (``IngestWorkers``), so HTTP never shares that group: ``run()``
/// gives it its own small `MultiThreadedEventLoopGroup` (``httpEventLoopThreads``), and scrapes, gzip, bcrypt and
/// the JSON API run on NIO's thread pool. Everything here is immutable after `init`; each part guards its own state.
package final class TributaryApplication: Sendable {
    /// Event-loop threads for HTTP: accepting, parsing and writing only (slow work is offloaded), so one is plenty.
    package static let httpEventLoopThreads = 1

    package let configuration: TributaryConfiguration
    package let shards: AggregationShards
    /// The shard TCP, Unix datagram and JSON feed listeners apply to (the only one by default).
    package var shard: AggregationShard { self.shards.primary }
    package let statistics = IngestStatistics()
    package let readiness: Readiness
    package let reloader: MappingReloader
    package let ingest: StatsDIngestService
    package let jsonIngest: JSONIngestService
    /// `/metrics`.
    package let scrape: ScrapeEndpoint
    /// `/api/v1/explain`, `/api/v1/unmapped`, `/api/v1/status`.
    package let api: APIRoutes
    /// Persistence (`--storage.path`); nil when off.
    package let snapshots: SnapshotService?
    let logger: Logger
    let httpRequestCounter = HTTPRequestCounter()

    /// - Parameters:
    ///   - ingestGroup: event loops of the StatsD and JSON listeners (never used for HTTP).
    ///   - ingestWorkerApply: what an ingest worker does with a batch (`--statsd.ingest-threads` > 1); tests pass
    ///     one that holds the workers busy.
    package init(
        configuration: TributaryConfiguration, logger: Logger,
        ingestGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        ingestWorkerApply: @escaping IngestWorkers.Apply = IngestWorkers.applyToShard
    ) {
        self.configuration = configuration
        self.logger = logger
        let shards = AggregationShards(count: configuration.statsd.ingestThreads, settings: configuration.aggregation)
        shards.setWallClockOffset(seconds: wallClockOffsetSeconds())
        self.shards = shards
        let readiness = Readiness(
            components: configuration.statsd.readinessComponents.union(configuration.json.readinessComponents)
                .union(["config", "http"]))
        self.readiness = readiness
        let reloader = MappingReloader(
            path: configuration.mappingConfigPath, shards: shards.all, logger: logger,
            dumpFSMPath: configuration.dumpFSMPath)
        self.reloader = reloader
        let ingest = StatsDIngestService(
            configuration: configuration.statsd, shards: shards, statistics: self.statistics,
            readiness: readiness, logger: logger, workerApply: ingestWorkerApply, group: ingestGroup)
        self.ingest = ingest
        self.jsonIngest = JSONIngestService(
            configuration: configuration.json, shard: shards.primary, statistics: self.statistics,
            readiness: readiness, logger: logger, group: ingestGroup)
        let snapshots = configuration.storagePath.map { path in
            SnapshotService(
                shards: shards, directory: path,
                interval: .nanoseconds(Int64(max(0.01, configuration.snapshotIntervalSeconds) * 1e9)),
                status: SnapshotStatus(directory: path), logger: logger)
        }
        self.snapshots = snapshots
        self.scrape = ScrapeEndpoint(
            shards: shards, statistics: self.statistics, reloader: reloader, httpRequests: self.httpRequestCounter,
            snapshots: snapshots?.status, boundUDPPorts: { ingest.boundUDPPorts }, relay: ingest.relay)
        self.api = APIRoutes(
            explain: ExplainRoute(reloader: reloader, dialects: configuration.aggregation.dialects, shards: shards),
            unmapped: UnmappedRoute(shards: shards),
            status: StatusRoute(
                statsd: configuration.statsd, json: configuration.json, webListenAddress: configuration.webListenAddress, shards: shards,
                statistics: self.statistics, reloader: reloader, readiness: readiness,
                boundPorts: { (ingest.boundUDPPorts, ingest.boundTCPPorts) }, startedAt: monotonicNanoseconds(),
                snapshots: snapshots?.status),
            cardinality: CardinalityRoute(shards: shards))
    }

    /// Loads the mapping (failing start-up on a bad file, like statsd_exporter), restores the snapshot (with
    /// `--storage.path`; before any listener opens, so the first scrape continues every counter), then runs every
    /// service until one of `signals` (SIGTERM or SIGINT) or task cancellation.
    ///
    /// Errors a user can cause at start-up (a bad mapping or web config file, a busy or forbidden address) are
    /// thrown as one-line ``UserError``s or ``ListenerBindError``s naming the flag and what to do.
    package func run(gracefulShutdownSignals signals: [UnixSignal] = [.sigterm, .sigint]) async throws {
        do {
            try self.reloader.loadAtStartUp()
        } catch {
            throw UserError(error.startUpDescription)
        }
        self.readiness.markReady("config")
        self.snapshots?.restore()
        let httpGroup = MultiThreadedEventLoopGroup(numberOfThreads: Self.httpEventLoopThreads)
        do {
            try await self.runServices(httpGroup: httpGroup, signals: signals)
        } catch {
            try? await httpGroup.shutdownGracefully()
            throw error
        }
        try? await httpGroup.shutdownGracefully()
    }

    private func runServices(httpGroup: any EventLoopGroup, signals: [UnixSignal]) async throws {
        let server: MetricsHTTPServer
        do {
            server = try self.makeHTTPServer(group: httpGroup)
        } catch let error as WebConfigError {
            let advice =
                error.message.hasPrefix("cannot read the file")
                ? "give the path of a readable web config file"
                : "fix the file (tributary --check-config --web.config.file FILE checks it without starting)"
            throw UserError(
                "--web.config.file \(error.file ?? self.configuration.webConfigPath ?? ""): \(error.message); \(advice)")
        }
        let http = HTTPReadinessService(server: server, readiness: self.readiness)
        // Graceful shutdown runs in reverse order, each service after the previous one finished: the listeners
        // stop first (what they read is applied), then maintenance, then the final snapshot, then HTTP (after
        // `--web.shutdown-grace`).
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: http)]
        if let snapshots = self.snapshots { services.append(.init(service: snapshots)) }
        let group = ServiceGroup(
            configuration: .init(
                services: services + [
                    .init(
                        service: MaintenanceService(
                            shards: self.shards.all, reloader: self.reloader,
                            expiryInterval: .milliseconds(Int64(self.configuration.expiryIntervalSeconds * 1000)),
                            logger: self.logger)),
                    .init(service: self.jsonIngest),
                    .init(service: self.ingest),
                ],
                gracefulShutdownSignals: signals,
                logger: self.logger
            )
        )
        try await group.run()
    }

    /// The HTTP server on `group`: `/metrics` (``ScrapeEndpoint``), probes, reload, and the JSON API
    /// (``APIRoutes``).
    ///
    /// Reads `--web.config.file` (TLS, basic auth); throws a ``WebConfigError`` when it is unusable.
    ///
    /// - Parameter group: must not be the ingest group. ``run()`` passes its own HTTP group; the default (NIO's
    ///   singleton) is only for callers that never bind, such as the `http_requests` fuzz target, which drives
    ///   ``MetricsHTTPServer/connectionInitializer(offload:)`` on an `EmbeddedChannel`.
    package func makeHTTPServer(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws
        -> MetricsHTTPServer
    {
        let security = try WebSecurity.load(path: self.configuration.webConfigPath, logger: self.logger)
        let scrape = self.scrape
        let readiness = self.readiness
        let reloader = self.reloader
        var endpoints: HTTPEndpoints
        if self.configuration.enableLifecycle {
            endpoints = HTTPEndpoints(
                metrics: { format in scrape.body(for: format) },
                isReady: { readiness.isReady },
                reload: { () throws -> String in
                    switch reloader.reload() {
                    case .success(let mapper): return "Reloaded mapping config: \(mapper.ruleCount) rule(s).\n"
                    case .failure(let error): throw error
                    }
                },
                extraRoutes: self.api.byPath
            )
        } else {
            endpoints = HTTPEndpoints(
                metrics: { format in scrape.body(for: format) }, isReady: { readiness.isReady },
                extraRoutes: self.api.byPath)
        }
        endpoints.notReadyDetail = { "waiting for: " + readiness.missing.joined(separator: ", ") + "\n" }
        var httpConfiguration = MetricsHTTPServer.Configuration(
            address: self.configuration.webListenAddress,
            telemetryPath: self.configuration.telemetryPath,
            enableLifecycle: self.configuration.enableLifecycle,
            version: TributaryVersion.current)
        httpConfiguration.enableOpenMetrics = self.configuration.enableOpenMetrics
        httpConfiguration.tls = security.tls
        httpConfiguration.authenticator = security.authenticator
        httpConfiguration.idleTimeout = .nanoseconds(Int64(self.configuration.webIdleTimeoutSeconds * 1e9))
        httpConfiguration.requestTimeout = .nanoseconds(Int64(self.configuration.webReadTimeoutSeconds * 1e9))
        httpConfiguration.maxHeaderBytes = self.configuration.webMaxHeaderBytes
        httpConfiguration.shutdownGrace = .nanoseconds(Int64(self.configuration.shutdownGraceSeconds * 1e9))
        return MetricsHTTPServer(
            configuration: httpConfiguration,
            endpoints: endpoints,
            group: group,
            requestCounter: self.httpRequestCounter,
            logger: self.logger
        )
    }
}
