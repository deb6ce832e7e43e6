import Logging
import NIOCore
import NIOHTTP1

/// The handlers of one HTTP connection after TLS: SwiftNIO's HTTP/1.1 server pipeline (decoder with
/// `maxHeaderBytes` limits, encoder, pipelining), ``HTTPProtocolErrorHandler`` (400, or 431 for a long head,
/// counted), then ``HTTPConnectionTimeoutHandler``, ``HTTPBasicAuthHandler`` (with basic auth) and
/// ``MetricsHTTPHandler``.
///
/// ``MetricsHTTPServer`` adds them to every accepted connection; the `http_requests` fuzz target and tests add the
/// same handlers to an `EmbeddedChannel` (``MetricsHTTPServer/connectionInitializer(offload:)`` with
/// ``HTTPOffload/inline``).
package struct HTTPConnectionInitializer: Sendable {
    let shared: MetricsHTTPShared
    let authenticator: BasicAuthenticator?
    let idleTimeout: TimeAmount
    let requestTimeout: TimeAmount
    let maxHeaderBytes: Int

    /// Adds the handlers to a new connection's pipeline, before it becomes active.
    package func addHandlers(to pipeline: ChannelPipeline.SynchronousOperations) throws {
        let requestCounter = self.shared.requestCounter
        let logger = self.shared.logger
        // Our error handler instead of NIO's: it counts, and says why (400, or 431 for a long head).
        try pipeline.configureHTTPServerPipeline(
            withErrorHandling: false, withEncoderConfiguration: .init(),
            withDecoderLimitConfiguration: MetricsHTTPServer.decoderLimits(maxHeaderBytes: self.maxHeaderBytes))
        try pipeline.addHandler(
            HTTPProtocolErrorHandler(counter: requestCounter, maxHeaderBytes: self.maxHeaderBytes, logger: logger))
        let countTimeout: @Sendable () -> Void = {
            if let count = requestCounter.recordFailure(.timeout, now: monotonicNanoseconds()) {
                logger.debug(
                    "HTTP request cut off by --web.idle-timeout or --web.read-timeout (at most one line per second)",
                    metadata: ["reason": "timeout", "count": "\(count)"])
            }
        }
        try pipeline.addHandler(
            HTTPConnectionTimeoutHandler(idle: self.idleTimeout, request: self.requestTimeout, onTimeout: countTimeout))
        if let authenticator = self.authenticator {
            let router = self.shared.router
            try pipeline.addHandler(
                HTTPBasicAuthHandler(authenticator: authenticator, offload: self.shared.offload) { head, code in
                    let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
                    let handler = router.route(method: head.method.rawValue, path: path).handler
                    requestCounter.record(handler: handler, code: code)
                })
        }
        try pipeline.addHandler(MetricsHTTPHandler(shared: self.shared))
    }
}
