import NIOCore
import NIOHTTP1

/// Lets a request through only with valid basic-auth credentials (`basic_auth_users` of `--web.config.file`);
/// otherwise answers 401 with `WWW-Authenticate: Basic` and discards the request.
///
/// Sits between `configureHTTPServerPipeline` and ``MetricsHTTPHandler``, on the connection's event loop. Known-good
/// credentials pass at once; others are checked with bcrypt through `offload` (the thread pool) while the request's
/// parts are held back, so a flood of wrong passwords costs thread-pool time, never event-loop time. The pipeline
/// handler delivers one request at a time, so at most one check per connection is in flight.
final class HTTPBasicAuthHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        /// Authorised: parts go on until `.end`.
        case forwarding
        /// bcrypt running; parts held back (the body is bounded by `maxHeldBytes`).
        case verifying(held: [HTTPServerRequestPart], bytes: Int)
        /// 401 sent (or being sent): parts are dropped until `.end`.
        case rejecting
    }

    private let authenticator: BasicAuthenticator
    private let offload: HTTPOffload
    private let record: @Sendable (HTTPRequestHead, Int) -> Void
    private var state = State.idle
    private static let maxHeldBytes = 1 << 20

    /// - Parameter record: counts a 401 (`tributary_http_requests_total`), given the request head and the code.
    init(authenticator: BasicAuthenticator, offload: HTTPOffload, record: @escaping @Sendable (HTTPRequestHead, Int) -> Void) {
        self.authenticator = authenticator
        self.offload = offload
        self.record = record
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = self.unwrapInboundIn(data)
        switch (self.state, part) {
        case (.idle, .head(let head)):
            guard let value = head.headers.first(name: "authorization"),
                let credentials = BasicAuthenticator.credentials(fromHeader: value)
            else {
                self.reject(context: context, head: head, endSeen: false)
                return
            }
            if self.authenticator.isKnownGood(user: credentials.user, password: credentials.password) {
                self.state = .forwarding
                context.fireChannelRead(data)
                return
            }
            self.state = .verifying(held: [part], bytes: 0)
            let authenticator = self.authenticator
            let loop = context.eventLoop
            let verification = self.offload.run(on: loop) {
                authenticator.verify(user: credentials.user, password: credentials.password)
            }
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            verification.whenComplete { result in
                let (handler, context) = bound.value
                handler.verified((try? result.get()) ?? false, head: head, context: context)
            }
        case (.forwarding, _):
            if case .end = part { self.state = .idle }
            context.fireChannelRead(data)
        case (.verifying(var held, var bytes), _):
            if case .body(let chunk) = part { bytes += chunk.readableBytes }
            guard bytes <= Self.maxHeldBytes else {
                context.close(promise: nil)
                return
            }
            held.append(part)
            self.state = .verifying(held: held, bytes: bytes)
        case (.rejecting, .end):
            self.state = .idle
        case (.rejecting, _):
            break
        case (.idle, _):
            context.close(promise: nil)  // a body without a head: the decoder would have failed first
        }
    }

    private func verified(_ ok: Bool, head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard case .verifying(let held, _) = self.state else { return }  // connection closed meanwhile
        let endSeen = held.contains { if case .end = $0 { true } else { false } }
        guard ok else {
            self.reject(context: context, head: head, endSeen: endSeen)
            return
        }
        self.state = endSeen ? .idle : .forwarding
        for part in held { context.fireChannelRead(self.wrapInboundOut(part)) }
        context.fireChannelReadComplete()
    }

    private func reject(context: ChannelHandlerContext, head: HTTPRequestHead, endSeen: Bool) {
        self.state = endSeen ? .idle : .rejecting
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
