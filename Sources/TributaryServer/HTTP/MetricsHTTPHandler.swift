import Logging
import NIOCore
import NIOHTTP1
import TributaryCore

/// One HTTP/1.1 connection: collects a request (head + body up to the limit), routes it, and writes one response.
///
/// Runs on the connection's event loop. `HTTPServerPipelineHandler` (installed by `configureHTTPServerPipeline`)
/// holds back pipelined requests until the response to the current one has ended, so at most one request is in
/// flight here. Slow work (scrape, gzip, extra routes, reload) runs through ``HTTPOffload`` (the thread pool or a
/// task in the server) and completes back on the event loop. The request cycle (head, body, end, respond,
/// keep-alive) is ``MetricsRequestStateMachine``, tested alone; scrapes beyond `maxConcurrentScrapes` across all
/// connections get 503 (``MetricsHTTPShared/enterScrape()``).
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let shared: MetricsHTTPShared
    /// Owned by this handler, on the connection's event loop.
    private var state: MetricsRequestStateMachine

    init(shared: MetricsHTTPShared) {
        self.shared = shared
        self.state = MetricsRequestStateMachine(maxRequestBodyBytes: shared.maxRequestBodyBytes)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let action: MetricsRequestStateMachine.ReadAction
        switch self.unwrapInboundIn(data) {
        case .head(let head): action = self.state.requestHeadReceived(head)
        case .body(let chunk): action = self.state.requestBodyReceived(chunk)
        case .end: action = self.state.requestEndReceived()
        }
        switch action {
        case .doNothing:
            break
        case .respond(let head, let body):
            self.handle(context: context, head: head, body: body)
        case .rejectBody(let head):
            self.rejectBody(context: context, head: head)
        case .close:
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.shared.logger.debug("HTTP connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// Answers 413 and closes (the state machine already discards the rest of the request).
    private func rejectBody(context: ChannelHandlerContext, head: HTTPRequestHead) {
        let decision = self.shared.router.route(method: head.method.rawValue, path: Self.split(head.uri).path)
        self.write(
            context: context, head: head, handler: decision.handler,
            response: .text(413, "Request Entity Too Large\n"), forceClose: true)
    }

    private func handle(context: ChannelHandlerContext, head: HTTPRequestHead, body: [UInt8]) {
        let (path, query) = Self.split(head.uri)
        let decision = self.shared.router.route(method: head.method.rawValue, path: path)
        let handler = decision.handler
        let shared = self.shared

        switch decision.target {
        case .respond(let response):
            self.write(context: context, head: head, handler: handler, response: response)

        case .healthy:
            self.write(context: context, head: head, handler: handler, response: .text(200, "OK\n"))

        case .ready:
            let ready = shared.endpoints.isReady()
            self.write(
                context: context, head: head, handler: handler,
                response: ready ? .text(200, "OK\n") : .text(503, "Not ready\n" + shared.endpoints.notReadyDetail()))

        case .landing:
            let page = StatusPage.html(version: shared.version, telemetryPath: shared.router.telemetryPath)
            self.write(context: context, head: head, handler: handler, response: .html(200, page))

        case .metrics:
            guard shared.enterScrape() else {
                self.write(
                    context: context, head: head, handler: handler,
                    response: .text(
                        503, "Too many concurrent scrapes (limit \(shared.maxConcurrentScrapes))\n"))
                return
            }
            let gzip = HTTPRouter.acceptsGzip(head.headers["accept-encoding"])
            let negotiated = NegotiatedExposition.negotiate(
                accept: head.headers["accept"], openMetrics: shared.enableOpenMetrics)
            let metrics = shared.endpoints.metrics
            let logger = shared.logger
            let future = shared.offload.run(on: context.eventLoop) { () -> HTTPResponseInfo in
                let text = metrics(negotiated)
                var headers: [(name: String, value: String)] = [("Content-Type", negotiated.contentType)]
                var response = HTTPResponseInfo(status: 200, headers: headers, body: text)
                if gzip {
                    do {
                        let compressed = try Gzip.compress(text, level: Gzip.scrapeLevel)
                        headers.append(("Content-Encoding", "gzip"))
                        response = HTTPResponseInfo(status: 200, headers: headers, body: compressed)
                    } catch {
                        logger.warning("gzip failed, sending the scrape uncompressed", metadata: ["error": "\(error)"])
                    }
                }
                response.prepareBody()
                return response
            }
            future.assumeIsolated().whenComplete { result in
                shared.leaveScrape()
                self.complete(context: context, head: head, handler: handler, result: result)
            }

        case .extra(let route):
            let request = HTTPRequestInfo(
                method: head.method.rawValue, path: path, query: query,
                headers: head.headers.map { ($0.name, $0.value) }, body: body)
            let future = shared.offload.run(on: context.eventLoop) { route(request) }
            future.assumeIsolated().whenComplete { result in
                self.complete(context: context, head: head, handler: handler, result: result)
            }

        case .reload:
            guard let reload = shared.endpoints.reload else {
                self.write(
                    context: context, head: head, handler: handler,
                    response: .text(403, "Lifecycle API is not enabled.\n"))
                return
            }
            let future = shared.offload.runTask(on: context.eventLoop) { () -> HTTPResponseInfo in
                switch await reload() {
                case .success(let message):
                    return .text(200, message.hasSuffix("\n") || message.isEmpty ? message : message + "\n")
                case .failure(let error):
                    return .text(500, "failed to reload config: \(error)\n")
                }
            }
            future.assumeIsolated().whenComplete { result in
                self.complete(context: context, head: head, handler: handler, result: result)
            }
        }
    }

    private func complete(
        context: ChannelHandlerContext, head: HTTPRequestHead, handler: String,
        result: Result<HTTPResponseInfo, any Error>
    ) {
        switch result {
        case .success(let response):
            self.write(context: context, head: head, handler: handler, response: response)
        case .failure(let error):
            self.shared.logger.warning("HTTP handler failed", metadata: ["handler": "\(handler)", "error": "\(error)"])
            self.write(context: context, head: head, handler: handler, response: .text(500, "\(error)\n"))
        }
    }

    /// Writes a whole response, counts it, and closes the connection unless it is kept alive.
    private func write(
        context: ChannelHandlerContext, head request: HTTPRequestHead, handler: String, response: HTTPResponseInfo,
        forceClose: Bool = false
    ) {
        self.shared.requestCounter.record(handler: handler, code: response.status)
        guard context.channel.isActive else { return }

        var headers = HTTPHeaders()
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        headers.replaceOrAdd(name: "Content-Length", value: String(response.bodyCount))
        let keepAlive: Bool
        switch self.state.responseReady(for: request, forceClose: forceClose) {
        case .writeAndClose:
            keepAlive = false
            headers.replaceOrAdd(name: "Connection", value: "close")
        case .writeAndKeepAlive(let connectionHeader):
            keepAlive = true
            if let connectionHeader { headers.replaceOrAdd(name: "Connection", value: connectionHeader) }
        }
        let responseHead = HTTPResponseHead(
            version: request.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(self.wrapOutboundOut(.head(responseHead)), promise: nil)
        if request.method != .HEAD && response.bodyCount > 0 {
            if let prepared = response.preparedBody {
                context.write(self.wrapOutboundOut(.body(.byteBuffer(prepared))), promise: nil)
            } else {
                var buffer = context.channel.allocator.buffer(capacity: response.body.count)
                buffer.writeBytes(response.body)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            }
        }
        let done = context.writeAndFlushPromise(self.wrapOutboundOut(.end(nil)))
        if !keepAlive {
            done.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// Splits a request target into path and query.
    static func split(_ uri: String) -> (path: String, query: String?) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, nil) }
        return (String(uri[..<mark]), String(uri[uri.index(after: mark)...]))
    }
}

extension ChannelHandlerContext {
    fileprivate func writeAndFlushPromise(_ data: NIOAny) -> EventLoopPromise<Void> {
        let promise = self.eventLoop.makePromise(of: Void.self)
        self.writeAndFlush(data, promise: promise)
        return promise
    }
}
