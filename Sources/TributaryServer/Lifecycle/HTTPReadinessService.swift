import ServiceLifecycle

/// Binds the HTTP server, reports `http` ready, then serves until graceful shutdown.
struct HTTPReadinessService: Service {
    let server: MetricsHTTPServer
    let readiness: Readiness

    func run() async throws {
        do {
            try await self.server.start()
        } catch {
            throw ListenerBindError(
                flag: "--web.listen-address", address: self.server.configuration.address, underlying: error)
        }
        self.readiness.markReady("http")
        try await self.server.run()
    }
}
