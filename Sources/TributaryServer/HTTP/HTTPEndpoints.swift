import NIOCore
import TributaryCore

/// What the HTTP server serves, as closures: the server knows nothing about aggregation or configuration.
///
/// All closures may be called concurrently from several threads. ``metrics`` and ``extraRoutes`` run on a thread
/// pool, never on an event loop, so they may lock shards or do file reads; ``isReady`` runs on the event loop and
/// must be cheap.
///
/// ```swift
/// let endpoints = HTTPEndpoints(
///     metrics: { format in scrape.body(for: format) },  // scrape: a ScrapeEndpoint
///     isReady: { exporter.isReady },
///     reload: { try reloader.reload() },  // returns a message, throws on failure
///     extraRoutes: ["/api/explain": { request in explain(request) }]
/// )
/// ```
package struct HTTPEndpoints: Sendable {
    /// An extra route: called with the whole request (any method), returns the whole response.
    package typealias Route = @Sendable (HTTPRequestInfo) -> HTTPResponseInfo

    /// The exposition body in the negotiated format (uncompressed); the server negotiates it from `Accept`
    /// (``NegotiatedExposition/negotiate(accept:)``), names it in `Content-Type` and gzips the body when the client
    /// accepts gzip.
    package var metrics: @Sendable (NegotiatedExposition) -> [UInt8]
    /// `/-/ready` answers 200 while this returns true, 503 otherwise.
    package var isReady: @Sendable () -> Bool
    /// Text added to `/-/ready`'s 503 body: what is still missing (or that the process is shutting down).
    package var notReadyDetail: @Sendable () -> String = { "" }
    /// `/-/reload` (POST or PUT, lifecycle API enabled): `.success(message)` → 200, `.failure(error)` → 500 with the
    /// error's description. `nil` disables reload like a disabled lifecycle API (403).
    package var reload: (@Sendable () async -> Result<String, any Error>)?
    /// More routes by exact path (no query string). Built-in paths take precedence.
    package var extraRoutes: [String: Route]

    package init(
        metrics: @escaping @Sendable (NegotiatedExposition) -> [UInt8],
        isReady: @escaping @Sendable () -> Bool = { true },
        reload: (@Sendable () async -> Result<String, any Error>)? = nil,
        extraRoutes: [String: Route] = [:]
    ) {
        self.metrics = metrics
        self.isReady = isReady
        self.reload = reload
        self.extraRoutes = extraRoutes
    }

    /// Like ``init(metrics:isReady:reload:extraRoutes:)`` with a synchronous reload that returns a message or
    /// throws. It runs on a Swift concurrency task, off the event loops.
    package init(
        metrics: @escaping @Sendable (NegotiatedExposition) -> [UInt8],
        isReady: @escaping @Sendable () -> Bool = { true },
        reload: @escaping @Sendable () throws -> String,
        extraRoutes: [String: Route] = [:]
    ) {
        self.init(
            metrics: metrics, isReady: isReady,
            reload: { Result { try reload() } },
            extraRoutes: extraRoutes)
    }
}

/// A complete HTTP request as extra routes see it.
package struct HTTPRequestInfo: Sendable {
    /// Upper-case method, e.g. `GET`.
    package var method: String
    /// The path without the query string, e.g. `/api/explain`.
    package var path: String
    /// The text after `?`, undecoded; `nil` when there is none.
    package var query: String?
    /// Header fields in arrival order.
    package var headers: [(name: String, value: String)]
    /// The request body (at most the server's body limit).
    package var body: [UInt8]

    package init(
        method: String, path: String, query: String? = nil, headers: [(name: String, value: String)] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name` (case-insensitive).
    package func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return self.headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// Query parameters split on `&` and `=`, not percent-decoded.
    package var queryItems: [(name: String, value: String)] {
        guard let query else { return [] }
        return query.split(separator: "&").map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }
}

/// A complete HTTP response. The server adds `Content-Length` and `Connection`.
package struct HTTPResponseInfo: Sendable {
    /// Status code, e.g. 200.
    package var status: Int
    /// Extra header fields; include `Content-Type`.
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    /// The body already in a `ByteBuffer` (``prepareBody()``); when set, `body` is empty and this is sent.
    package private(set) var preparedBody: ByteBuffer?

    package init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Bytes of the body, prepared or not.
    package var bodyCount: Int { self.preparedBody?.readableBytes ?? self.body.count }

    /// Moves `body` into a `ByteBuffer`. Called where the response is made (a scrape's thread-pool thread), so the
    /// event loop — which also reads UDP — does not spend ~10 ms per 40 MB copying a large scrape.
    package mutating func prepareBody() {
        guard self.preparedBody == nil else { return }
        var buffer = ByteBufferAllocator().buffer(capacity: self.body.count)
        buffer.writeBytes(self.body)
        self.preparedBody = buffer
        self.body = []
    }

    /// A `text/plain; charset=utf-8` response.
    package static func text(_ status: Int, _ text: String, headers: [(name: String, value: String)] = [])
        -> HTTPResponseInfo
    {
        HTTPResponseInfo(
            status: status, headers: [("Content-Type", "text/plain; charset=utf-8")] + headers, body: Array(text.utf8))
    }

    /// A `text/html; charset=utf-8` response.
    package static func html(_ status: Int, _ html: String) -> HTTPResponseInfo {
        HTTPResponseInfo(
            status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(html.utf8))
    }

    /// A `application/json` response.
    package static func json(_ status: Int, _ json: [UInt8]) -> HTTPResponseInfo {
        HTTPResponseInfo(status: status, headers: [("Content-Type", "application/json")], body: json)
    }
}
