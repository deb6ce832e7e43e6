import NIOCore
import NIOHTTP1

/// The handlers of one HTTP connection after TLS: SwiftNIO's HTTP/1.1 server pipeline (decoder, encoder,
/// pipelining, 400 on a malformed request), then ``HTTPConnectionTimeoutHandler``, ``HTTPBasicAuthHandler`` (with
/// basic auth) and ``MetricsHTTPHandler``.
///
/// ``MetricsHTTPServer`` adds them to every accepted connection; the `http_requests` fuzz target and tests add the
/// same handlers to an `EmbeddedChannel` (``MetricsHTTPServer/connectionInitializer(offload:)`` with
/// ``HTTPOffload/inline``).
package struct HTTPConnectionInitializer: Sendable {
    let shared: MetricsHTTPShared
    let authenticator: BasicAuthenticator?
    let idleTimeout: TimeAmount
    let requestTimeout: TimeAmount

    /// Adds the handlers to a new connection's pipeline, before it becomes active.
    package func addHandlers(to pipeline: ChannelPipeline.SynchronousOperations) throws {
        try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
        try pipeline.addHandler(HTTPConnectionTimeoutHandler(idle: self.idleTimeout, request: self.requestTimeout))
        if let authenticator = self.authenticator {
            let router = self.shared.router
            let requestCounter = self.shared.requestCounter
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
