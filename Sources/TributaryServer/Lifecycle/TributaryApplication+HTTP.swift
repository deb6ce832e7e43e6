import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TributaryCore

/// Binds the HTTP server, reports `http` ready, then serves until graceful shutdown.
struct HTTPReadinessService: Service {
    let server: MetricsHTTPServer
    let readiness: Readiness

    func run() async throws {
        do {
            try await self.server.start()
        } catch {
            throw ListenerBindError(address: self.server.configuration.address, underlying: error)
        }
        self.readiness.markReady("http")
        try await self.server.run()
    }
}

extension TributaryApplication {
    /// The HTTP service: ``makeHTTPServer()``, reporting `http` ready once bound.
    func makeHTTPService() throws -> HTTPReadinessService {
        HTTPReadinessService(server: try self.makeHTTPServer(), readiness: self.readiness)
    }

    /// The HTTP server: `/metrics` writes the shard's series, then Tributary's own metrics; `/api/v1/explain` and
    /// `/api/v1/unmapped` answer mapping questions.
    ///
    /// Reads `--web.config.file` (TLS, basic auth); throws a ``WebConfigError`` when it is unusable.
    package func makeHTTPServer() throws -> MetricsHTTPServer {
        let web = try self.configuration.webConfigPath.map { path throws(WebConfigError) in
            try WebConfig.loadChecked(path: path)
        }
        let tls = web?.tls
        let authenticator = web.flatMap {
            $0.config.basicAuthUsers.isEmpty ? nil : BasicAuthenticator(users: $0.config.basicAuthUsers)
        }
        if let web {
            self.logger.info(
                "web config loaded",
                metadata: ["tls": "\(web.config.tls != nil)", "basic_auth_users": "\(web.config.basicAuthUsers.count)"])
            for warning in web.warnings { self.logger.warning("web config: \(warning)") }
        }
        var endpoints: HTTPEndpoints
        if self.configuration.enableLifecycle {
            endpoints = HTTPEndpoints(
                metrics: { [self] format in self.scrape(format) },
                isReady: { [readiness] in readiness.isReady },
                reload: { [reloader] () throws -> String in
                    switch reloader.reload() {
                    case .success(let mapper): return "Reloaded mapping config: \(mapper.ruleCount) rule(s).\n"
                    case .failure(let error): throw error
                    }
                },
                extraRoutes: self.apiRoutes
            )
        } else {
            endpoints = HTTPEndpoints(
                metrics: { [self] format in self.scrape(format) }, isReady: { [readiness] in readiness.isReady },
                extraRoutes: self.apiRoutes)
        }
        endpoints.notReadyDetail = { [readiness] in "waiting for: " + readiness.missing.joined(separator: ", ") + "\n" }
        var httpConfiguration = MetricsHTTPServer.Configuration(
            address: self.configuration.webListenAddress,
            telemetryPath: self.configuration.telemetryPath,
            enableLifecycle: self.configuration.enableLifecycle,
            version: TributaryVersion.current)
        httpConfiguration.enableOpenMetrics = self.configuration.enableOpenMetrics
        httpConfiguration.tls = tls
        httpConfiguration.authenticator = authenticator
        httpConfiguration.idleTimeout = .nanoseconds(Int64(self.configuration.webIdleTimeoutSeconds * 1e9))
        httpConfiguration.requestTimeout = .nanoseconds(Int64(self.configuration.webReadTimeoutSeconds * 1e9))
        httpConfiguration.maxHeaderBytes = self.configuration.webMaxHeaderBytes
        httpConfiguration.shutdownGrace = .nanoseconds(Int64(self.configuration.shutdownGraceSeconds * 1e9))
        return MetricsHTTPServer(
            configuration: httpConfiguration,
            endpoints: endpoints,
            requestCounter: self.httpRequestCounter,
            logger: self.logger
        )
    }

    /// One scrape in the negotiated format: the shard's series, then self-metrics. Runs on the HTTP thread pool.
    func scrape(_ negotiated: NegotiatedExposition = .text004) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(self.lastScrapeSize.load(ordering: .relaxed) + 4096)
        let now = monotonicNanoseconds()
        self.shards.setWallClockOffset(seconds: wallClockOffsetSeconds())  // follows wall-clock steps between scrapes
        // One copy of the shard for the series and for the self-metric counts: a sample is either in both or in
        // neither, so a scrape never shows a count ahead of the series it describes.
        var state = self.shards.scrapeCopy()
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

    /// Tributary's own counters and gauges, gathered for one scrape.
    private func selfMetricsSnapshot(
        _ shard: (counts: IngestCounts, seriesByKind: [StorageKind: Int])
    ) -> SelfMetricsSnapshot {
        let merged = SelfMetricsSnapshot.merging([shard])
        let listeners = SelfMetricsSnapshot.ListenerCounts(
            udpPackets: self.statistics.value(.udpPackets),
            unixgramPackets: self.statistics.value(.unixgramPackets),
            tcpConnections: self.statistics.value(.tcpConnections),
            tcpConnectionErrors: self.statistics.value(.tcpConnectionErrors),
            tcpTooLongLines: self.statistics.value(.tcpTooLongLines),
            jsonConnections: self.statistics.value(.jsonConnections),
            jsonConnectionsRejected: self.statistics.value(.jsonConnectionsRejected),
            jsonConnectionErrors: self.statistics.value(.jsonConnectionErrors),
            jsonOpenConnections: UInt64(max(0, self.statistics.jsonOpenConnections.load(ordering: .relaxed))),
            jsonUnixgramPackets: self.statistics.value(.jsonUnixgramPackets),
            tcpConnectionsRejected: self.statistics.value(.tcpConnectionsRejected),
            tcpOpenConnections: UInt64(max(0, self.statistics.tcpOpenConnections.load(ordering: .relaxed))))
        let udpPorts = self.ingest.boundUDPPorts
        let drops: UInt64? = udpPorts.isEmpty ? nil : Set(udpPorts).compactMap { KernelUDPDrops.read(port: $0) }.reduce(0, +)
        return SelfMetricsSnapshot(
            ingest: merged.counts,
            seriesByKind: merged.seriesByKind,
            listeners: listeners,
            udpKernelDrops: drops,
            reloadSuccesses: self.reloader.successes.load(ordering: .relaxed),
            reloadFailures: self.reloader.failures.load(ordering: .relaxed),
            loadedMappings: self.reloader.mapper.ruleCount,
            build: .init(version: TributaryVersion.current, swiftVersion: TributaryVersion.swift),
            httpRequests: self.httpRequestCounter.snapshot(),
            httpRequestErrors: self.httpRequestCounter.failureSnapshot(),
            processStartTimeSeconds: ProcessMetrics.currentStartTimeSeconds(),
            residentMemoryBytes: ProcessMetrics.currentResidentMemoryBytes()
        )
    }
}
