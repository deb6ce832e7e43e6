import Logging
import NIOCore
import NIOHTTP1

/// Answers requests SwiftNIO's HTTP/1 decoder rejects, counts them and closes the connection. Replaces NIO's
/// `HTTPServerProtocolErrorHandler` (which answers an empty 400 and counts nothing) at the same place in the
/// pipeline: after `HTTPServerPipelineHandler`, before the handlers that see requests.
///
/// - `headerOverflow` (request line and headers over `--web.max-header-bytes`): 431 and
///   `tributary_http_request_errors_total{reason="header_too_large"}`.
/// - any other parser error (bad request line, method, version, header token, chunk size…): 400 with the parser's
///   reason and `{reason="malformed"}`.
/// - `invalidEOFState` (the connection closed in the middle of a request): nothing to answer and not counted here;
///   ``HTTPConnectionTimeoutHandler`` counts it when one of its deadlines did the closing.
///
/// Problems are logged at debug, at most one line per reason per second (``HTTPRequestCounter/recordFailure(_:now:)``).
/// The error is passed on, so ``MetricsHTTPHandler`` closes the connection once the response is flushed.
final class HTTPProtocolErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let counter: HTTPRequestCounter
    private let maxHeaderBytes: Int
    private let logger: Logger
    private let now: @Sendable () -> UInt64
    /// A response head went out and its end did not yet: an error response cannot be sent now.
    private var responseInProgress = false

    /// - Parameters:
    ///   - maxHeaderBytes: the decoder's limit, quoted in the 431 message.
    ///   - now: monotonic nanoseconds, for log rate limiting.
    init(
        counter: HTTPRequestCounter, maxHeaderBytes: Int, logger: Logger,
        now: @escaping @Sendable () -> UInt64 = monotonicNanoseconds
    ) {
        self.counter = counter
        self.maxHeaderBytes = maxHeaderBytes
        self.logger = logger
        self.now = now
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, parserError != .invalidEOFState else {
            context.fireErrorCaught(error)
            return
        }
        let failure = HTTPRequestFailure(parserError: parserError)
        if let count = self.counter.recordFailure(failure, now: self.now()) {
            self.logger.debug(
                "HTTP request rejected (at most one line per reason and second; see tributary_http_request_errors_total)",
                metadata: [
                    "reason": "\(failure.label)", "error": "\(parserError.debugDescription)", "count": "\(count)",
                    "peer": "\(context.remoteAddress.map { "\($0)" } ?? "?")",
                ])
        }
        if !self.responseInProgress && context.channel.isActive {
            self.respond(context: context, failure: failure, parserError: parserError)
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(let head) where (100..<200).contains(head.status.code): break  // informational: more follows
        case .head: self.responseInProgress = true
        case .body: break
        case .end: self.responseInProgress = false
        }
        context.write(data, promise: promise)
    }

    /// Writes the whole error response (HTTP/1.1, `Connection: close`) and flushes it; the caller's
    /// `fireErrorCaught` lets ``MetricsHTTPHandler`` close the connection.
    private func respond(context: ChannelHandlerContext, failure: HTTPRequestFailure, parserError: HTTPParserError) {
        let status: HTTPResponseStatus
        let message: String
        switch failure {
        case .headerTooLarge:
            status = .requestHeaderFieldsTooLarge
            message = "Request Header Fields Too Large: the request line and headers exceed \(self.maxHeaderBytes) bytes\n"
        case .malformed, .timeout:
            status = .badRequest
            message = "Bad Request: \(parserError.debugDescription)\n"
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(message.utf8.count)")
        headers.add(name: "Connection", value: "close")
        context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: message)))), promise: nil)
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
    }
}
