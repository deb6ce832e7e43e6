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
///
/// The phases and deadlines live in ``HTTPConnectionTimeoutStateMachine`` (tested alone with a manual clock); this
/// handler only turns its actions into one scheduled task. Everything runs on the connection's event loop.
final class HTTPConnectionTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let idle: TimeAmount
    private let request: TimeAmount
    /// Created in `handlerAdded` (which precedes every other event) with the connection's event-loop clock.
    private var state: HTTPConnectionTimeoutStateMachine<EventLoopClock>!
    /// The one scheduled deadline, if any.
    private var deadline: Scheduled<Void>?
    /// Called at most once, when a deadline cut off a request (for a counter).
    private let onTimeout: @Sendable () -> Void

    init(idle: TimeAmount, request: TimeAmount, onTimeout: @escaping @Sendable () -> Void = {}) {
        self.idle = idle
        self.request = request
        self.onTimeout = onTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.state = HTTPConnectionTimeoutStateMachine(
            idleTimeout: Duration(self.idle), requestTimeout: Duration(self.request),
            clock: EventLoopClock(eventLoop: context.eventLoop))
        if context.channel.isActive { self.perform(self.state.connectionActivated(), context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.perform(self.state.connectionActivated(), context: context)
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
        if let parserError = error as? HTTPParserError, parserError == .invalidEOFState,
            self.state.truncatedRequestReported() == .countTimeout
        {
            self.onTimeout()
        }
        context.fireErrorCaught(error)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head: self.perform(self.state.requestHeadReceived(), context: context)
        case .end: self.perform(self.state.requestEndReceived(), context: context)
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = self.unwrapOutboundIn(data) {
            self.perform(self.state.responseEndWritten(), context: context)
        }
        context.write(data, promise: promise)
    }

    private func perform(_ action: HTTPConnectionTimeoutStateMachine<EventLoopClock>.DeadlineAction, context: ChannelHandlerContext) {
        switch action {
        case .schedule(let instant):
            self.cancel()
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            self.deadline = context.eventLoop.scheduleTask(deadline: instant.deadline) {
                let (handler, context) = bound.value
                handler.deadlinePassed(context: context)
            }
        case .cancel:
            self.cancel()
        case .doNothing:
            break
        }
    }

    /// Closes the connection; counts a cut-off body now, a cut-off head when the decoder reports it.
    private func deadlinePassed(context: ChannelHandlerContext) {
        switch self.state.deadlinePassed() {
        case .closeAndCountTimeout: self.onTimeout()
        case .close: break
        }
        context.close(promise: nil)
    }

    private func cancel() {
        self.deadline?.cancel()
        self.deadline = nil
    }
}
