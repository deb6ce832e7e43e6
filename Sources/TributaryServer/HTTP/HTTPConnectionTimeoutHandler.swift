import NIOCore
import NIOHTTP1

/// Closes HTTP connections that hold a slot without making progress.
///
/// Two deadlines, like Go's `ReadHeaderTimeout`/`IdleTimeout` and `ReadTimeout`:
/// - `idle`: from connection open (including a TLS handshake) or the end of the last response until a complete
///   request head has arrived. Covers clients that connect and send nothing, idle keep-alive connections and
///   request heads trickled byte by byte.
/// - `request`: from the head until the end of the request body.
/// No deadline runs while a response is being produced or written (a slow scrape is not cut off).
///
/// `onTimeout` (`tributary_http_request_errors_total{reason="timeout"}`) runs only when a deadline cuts off a
/// request: its body, or a head sent in part. A partial head is visible only to the decoder: when the idle
/// deadline closes the connection, the decoder reports `invalidEOFState` on the way down (it held bytes of an
/// unfinished request), and that is when it counts. An idle keep-alive connection closed between requests is normal
/// and not counted.
final class HTTPConnectionTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Phase {
        case waitingForHead
        /// Between head and end; `responded` when the response went out early (401, 413).
        case readingRequest(responded: Bool)
        case responding
    }

    private var phase = Phase.waitingForHead
    private let idle: TimeAmount
    private let request: TimeAmount
    private var deadline: Scheduled<Void>?
    /// The idle deadline closed the connection; a following `invalidEOFState` means a head was cut off.
    private var closedWhileWaitingForHead = false
    /// Called at most once, when a deadline cut off a request (for a counter).
    private let onTimeout: @Sendable () -> Void

    init(idle: TimeAmount, request: TimeAmount, onTimeout: @escaping @Sendable () -> Void = {}) {
        self.idle = idle
        self.request = request
        self.onTimeout = onTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.arm(context: context, self.idle) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.arm(context: context, self.idle)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.cancel()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.cancel()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if self.closedWhileWaitingForHead, let parserError = error as? HTTPParserError, parserError == .invalidEOFState {
            self.closedWhileWaitingForHead = false
            self.onTimeout()
        }
        context.fireErrorCaught(error)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (self.unwrapInboundIn(data), self.phase) {
        case (.head, _):
            self.phase = .readingRequest(responded: false)
            self.arm(context: context, self.request)
        case (.end, .readingRequest(let responded)):
            if responded {
                self.phase = .waitingForHead
                self.arm(context: context, self.idle)
            } else {
                self.phase = .responding
                self.cancel()
            }
        case (.body, _), (.end, _):
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = self.unwrapOutboundIn(data) {
            switch self.phase {
            case .responding, .waitingForHead:
                self.phase = .waitingForHead
                self.arm(context: context, self.idle)
            case .readingRequest:
                self.phase = .readingRequest(responded: true)  // the request deadline keeps running
            }
        }
        context.write(data, promise: promise)
    }

    private func arm(context: ChannelHandlerContext, _ amount: TimeAmount) {
        self.cancel()
        guard amount > .zero else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.deadline = context.eventLoop.scheduleTask(in: amount) {
            let (handler, context) = bound.value
            handler.deadlinePassed(context: context)
        }
    }

    /// Closes the connection; counts a cut-off body now, a cut-off head when the decoder reports it.
    private func deadlinePassed(context: ChannelHandlerContext) {
        switch self.phase {
        case .readingRequest: self.onTimeout()
        case .waitingForHead: self.closedWhileWaitingForHead = true
        case .responding: break  // no deadline runs then
        }
        context.close(promise: nil)
    }

    private func cancel() {
        self.deadline?.cancel()
        self.deadline = nil
    }
}
