import NIOCore
import NIOHTTP1

/// Lets a request through only with valid basic-auth credentials (`basic_auth_users` of `--web.config.file`);
/// otherwise answers 401 with `WWW-Authenticate: Basic` and discards the request.
///
/// Sits between `configureHTTPServerPipeline` and ``MetricsHTTPHandler``, on the connection's event loop. Known-good
/// credentials pass at once; others are checked with bcrypt through `offload` (the thread pool) while the request's
/// parts are held back, so a flood of wrong passwords costs thread-pool time, never event-loop time. The pipeline
/// handler delivers one request at a time, so at most one check per connection is in flight. The per-request state
/// is ``BasicAuthStateMachine`` (tested alone); this handler performs its actions.
final class HTTPBasicAuthHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let authenticator: BasicAuthenticator
    private let offload: HTTPOffload
    private let record: @Sendable (HTTPRequestHead, Int) -> Void
    /// Owned by this handler, on the connection's event loop.
    private var state = BasicAuthStateMachine()

    /// - Parameter record: counts a 401 (`tributary_http_requests_total`), given the request head and the code.
    init(authenticator: BasicAuthenticator, offload: HTTPOffload, record: @escaping @Sendable (HTTPRequestHead, Int) -> Void) {
        self.authenticator = authenticator
        self.offload = offload
        self.record = record
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let authenticator = self.authenticator
        let action = self.state.requestPartReceived(self.unwrapInboundIn(data)) { head in
            guard let value = head.headers.first(name: "authorization"),
                let credentials = BasicAuthenticator.credentials(fromHeader: value)
            else { return .missing }
            if authenticator.isKnownGood(user: credentials.user, password: credentials.password) { return .knownGood }
            return .unverified(user: credentials.user, password: credentials.password)
        }
        switch action {
        case .forward:
            context.fireChannelRead(data)
        case .hold, .drop:
            break
        case .reject(let head):
            self.reject(context: context, head: head)
        case .verify(let user, let password):
            let loop = context.eventLoop
            let verification = self.offload.run(on: loop) { authenticator.verify(user: user, password: password) }
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            verification.whenComplete { result in
                let (handler, context) = bound.value
                handler.verified((try? result.get()) ?? false, context: context)
            }
        case .close:
            context.close(promise: nil)
        }
    }

    private func verified(_ valid: Bool, context: ChannelHandlerContext) {
        switch self.state.verificationCompleted(valid: valid) {
        case .release(let held):
            for part in held { context.fireChannelRead(self.wrapInboundOut(part)) }
            context.fireChannelReadComplete()
        case .reject(let head):
            self.reject(context: context, head: head)
        case .doNothing:
            break  // connection closed meanwhile
        }
    }

    /// Writes the 401 (the state machine already drops the rest of the request).
    private func reject(context: ChannelHandlerContext, head: HTTPRequestHead) {
        self.record(head, 401)
        let body = "Unauthorized\n"
        var headers = HTTPHeaders()
        headers.add(name: "WWW-Authenticate", value: "Basic realm=\"tributary\", charset=\"UTF-8\"")
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(
            self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .unauthorized, headers: headers))),
            promise: nil)
        if head.method != .HEAD {  // Content-Length still says what a GET would get
            context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        }
        let written = context.writeAndFlush(self.wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}
