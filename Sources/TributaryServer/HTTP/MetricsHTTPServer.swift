import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The exporter's HTTP server: `/metrics` (gzip when accepted), `/-/healthy`, `/-/ready`, `/-/reload`, the status
/// page and extra routes, on SwiftNIO HTTP/1.1 with keep-alive.
///
/// Use it as a `Service` in the `ServiceGroup`: ``run()`` binds, serves until graceful shutdown (or task
/// cancellation), then closes the listening socket and every open connection. Tests and tools can instead call
/// ``start()`` (returns the bound address, e.g. for `127.0.0.1:0`) and ``shutdown()``.
///
/// ```swift
/// let server = MetricsHTTPServer(
///     configuration: .init(address: try ListenAddress(parsing: ":9102"), version: "0.1.0"),
///     endpoints: HTTPEndpoints(metrics: { format in scrape.body(for: format) }),  // scrape: a ScrapeEndpoint
///     logger: logger
/// )
/// let group = ServiceGroup(services: [server, ...], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
package final class MetricsHTTPServer: Service, Sendable {
    /// Listen address, paths and limits.
    package struct Configuration: Sendable {
        package var address: ListenAddress
        /// Path of the exposition, `--web.telemetry-path`.
        package var telemetryPath: String
        /// Enables `/-/reload` (`--web.enable-lifecycle`); otherwise it answers 403.
        package var enableLifecycle: Bool
        /// Scrapes running at once; more get 503.
        package var maxConcurrentScrapes: Int
        /// Larger request bodies get 413 and the connection is closed.
        package var maxRequestBodyBytes: Int
        /// Longest request head (`--web.max-header-bytes`): the request target plus header names and values, in all
        /// and per field (SwiftNIO's decoder limits). Longer heads get 431 and the connection is closed.
        package var maxHeaderBytes = MetricsHTTPServer.defaultMaxHeaderBytes
        /// Shown on the status page.
        package var version: String
        /// TLS for every connection (`tls_server_config` of `--web.config.file`); nil serves plain HTTP.
        package var tls: NIOSSLContext?
        /// Basic auth for every endpoint (`basic_auth_users`); nil lets every request through.
        package var authenticator: BasicAuthenticator?
        /// Time allowed from connection open or the last response until a complete request head (`--web.idle-timeout`).
        package var idleTimeout: TimeAmount
        /// Time allowed from a request head until the end of its body (`--web.read-timeout`).
        package var requestTimeout: TimeAmount
        /// After graceful shutdown starts (once the listeners stopped), keep answering for this long
        /// (`--web.shutdown-grace`), so a last scrape gets the final values.
        package var shutdownGrace: Duration
        /// Lets `Accept` select OpenMetrics 1.0 (`--web.enable-openmetrics`); off, such scrapers get text 0.0.4.
        package var enableOpenMetrics = false

        package init(
            address: ListenAddress,
            telemetryPath: String = "/metrics",
            enableLifecycle: Bool = false,
            maxConcurrentScrapes: Int = 4,
            maxRequestBodyBytes: Int = 64 * 1024,
            maxHeaderBytes: Int = MetricsHTTPServer.defaultMaxHeaderBytes,
            version: String,
            tls: NIOSSLContext? = nil,
            authenticator: BasicAuthenticator? = nil,
            idleTimeout: TimeAmount = .seconds(30),
            requestTimeout: TimeAmount = .seconds(10),
            shutdownGrace: Duration = .zero
        ) {
            self.tls = tls
            self.authenticator = authenticator
            self.idleTimeout = idleTimeout
            self.requestTimeout = requestTimeout
            self.shutdownGrace = shutdownGrace
            self.address = address
            self.telemetryPath = telemetryPath
            self.enableLifecycle = enableLifecycle
            self.maxConcurrentScrapes = maxConcurrentScrapes
            self.maxRequestBodyBytes = maxRequestBodyBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.version = version
        }
    }

    /// SwiftNIO's default request-head limit, 80 KiB.
    package static let defaultMaxHeaderBytes = NIOHTTPDecoderLimitConfiguration().maxHeaderListSize

    /// The server has already been started or shut down.
    package struct StateError: Error, CustomStringConvertible {
        package var description: String
    }

    private enum State {
        case idle
        case running(any Channel)
        case stopped
    }

    package let configuration: Configuration
    /// Responses served by handler and code (`tributary_http_requests_total`), and requests rejected before routing
    /// (`tributary_http_request_errors_total`); read with `snapshot()` and `failureSnapshot()`.
    package let requestCounter: HTTPRequestCounter

    private let endpoints: HTTPEndpoints
    private let group: any EventLoopGroup
    /// `nil`: `NIOThreadPool.singleton`, looked up when first needed (an `inline` initializer never starts it).
    private let threadPool: NIOThreadPool?
    private let logger: Logger
    private let state = Mutex<State>(.idle)
    /// Open connections, closed on shutdown.
    private let connections = ConnectionSet()

    /// - Parameters:
    ///   - group: event loops for the listening socket and connections. Never the ingest listeners' group: a UDP
    ///     reader there may block its thread waiting for an ingest worker (``IngestWorkers``).
    ///   - threadPool: runs scrapes, gzip and extra routes off the event loops; must be started. `nil` uses the
    ///     singleton (started).
    package init(
        configuration: Configuration,
        endpoints: HTTPEndpoints,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        threadPool: NIOThreadPool? = nil,
        requestCounter: HTTPRequestCounter = HTTPRequestCounter(),
        logger: Logger
    ) {
        self.configuration = configuration
        self.endpoints = endpoints
        self.group = group
        self.threadPool = threadPool
        self.requestCounter = requestCounter
        self.logger = logger
    }

    /// The bound address while running (the real port when configured with port 0).
    package var localAddress: SocketAddress? {
        self.runningChannel?.localAddress
    }

    /// The listening channel between start and shutdown.
    private var runningChannel: (any Channel)? {
        self.state.withLock { state in
            if case .running(let channel) = state { return channel }
            return nil
        }
    }

    /// Binds and starts accepting connections; returns the bound address.
    @discardableResult
    package func start() async throws -> SocketAddress {
        let channel = try await self.bind()
        let accepted = self.state.withLock { state -> Bool in
            guard case .idle = state else { return false }
            state = .running(channel)
            return true
        }
        guard accepted else {
            try? await channel.close()
            throw StateError(description: "MetricsHTTPServer already started or shut down")
        }
        let address = channel.localAddress!
        self.logger.info("listening for HTTP", metadata: ["address": "\(ListenAddress.display(address))"])
        return address
    }

    /// Stops accepting, closes open connections (in-flight responses are cut off) and waits for the listener to
    /// close. Safe to call more than once.
    package func shutdown() async throws {
        let channel = self.state.withLock { state -> (any Channel)? in
            defer { state = .stopped }
            if case .running(let channel) = state { return channel }
            return nil
        }
        guard let channel else { return }
        try? await channel.close()
        self.connections.closeAll()
    }

    /// Starts (unless ``start()`` was called) and serves until graceful shutdown or cancellation.
    package func run() async throws {
        if self.runningChannel == nil { try await self.start() }
        guard let channel = self.runningChannel else { return }  // shut down concurrently
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await channel.closeFuture.get()
            } onGracefulShutdown: {
                let grace = self.configuration.shutdownGrace
                Task {
                    if grace > .zero {
                        self.logger.info("shutting down: still serving HTTP for the grace period", metadata: ["grace": "\(grace)"])
                        try? await Task.sleep(for: grace)
                    }
                    try? await self.shutdown()
                }
            }
        } onCancel: {
            Task { try? await self.shutdown() }
        }
        try await self.shutdown()  // closes connections when the listener closed for another reason
    }

    /// The handlers every connection gets after TLS, sharing this server's routes, scrape gate and counters.
    ///
    /// - Parameter offload: where slow work runs; `nil` uses the server's thread pool. Tests and the fuzz target pass
    ///   ``HTTPOffload/inline`` to drive the handlers on an `EmbeddedChannel`.
    package func connectionInitializer(offload: HTTPOffload? = nil) -> HTTPConnectionInitializer {
        let shared = MetricsHTTPShared(
            router: HTTPRouter(
                telemetryPath: self.configuration.telemetryPath,
                enableLifecycle: self.configuration.enableLifecycle && self.endpoints.reload != nil,
                extraRoutes: self.endpoints.extraRoutes),
            endpoints: self.endpoints,
            version: self.configuration.version,
            maxConcurrentScrapes: self.configuration.maxConcurrentScrapes,
            maxRequestBodyBytes: self.configuration.maxRequestBodyBytes,
            offload: offload ?? .threadPool(self.threadPool ?? .singleton),
            requestCounter: self.requestCounter,
            logger: self.logger,
            enableOpenMetrics: self.configuration.enableOpenMetrics)
        return HTTPConnectionInitializer(
            shared: shared, authenticator: self.configuration.authenticator,
            idleTimeout: self.configuration.idleTimeout, requestTimeout: self.configuration.requestTimeout,
            maxHeaderBytes: self.configuration.maxHeaderBytes)
    }

    private func bind() async throws -> any Channel {
        let initializer = self.connectionInitializer()
        let connections = self.connections
        let tls = self.configuration.tls
        let bootstrap = ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelInitializer { channel in
                connections.insert(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls)) }
                    try initializer.addHandlers(to: pipeline)
                }
            }

        let address = self.configuration.address
        if let host = address.host {
            return try await bootstrap.bind(host: host, port: address.port).get()
        }
        // All interfaces: a dual-stack IPv6 socket where IPv6 is available, like Go's ":port"; else IPv4.
        do {
            return try await bootstrap.bind(host: "::", port: address.port).get()
        } catch {
            return try await bootstrap.bind(host: "0.0.0.0", port: address.port).get()
        }
    }
}

extension MetricsHTTPServer {
    /// SwiftNIO's decoder limits with `maxHeaderBytes` for the whole head and for any one field (the request target
    /// counts as one).
    static func decoderLimits(maxHeaderBytes: Int) -> NIOHTTPDecoderLimitConfiguration {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = maxHeaderBytes
        limits.maxHeaderListSize = maxHeaderBytes
        return limits
    }
}

/// The open connections of a server, so shutdown can close idle keep-alive connections.
private final class ConnectionSet: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    /// Tracks `channel` until it closes.
    func insert(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        self.channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { _ in _ = self.channels.withLock { $0.removeValue(forKey: id) } }
    }

    func closeAll() {
        let open = self.channels.withLock { Array($0.values) }
        for channel in open { channel.close(promise: nil) }
    }
}
