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
    /// Called once when a deadline closes the connection (for a counter).
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
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let onTimeout = self.onTimeout
        self.deadline = context.eventLoop.scheduleTask(in: amount) {
            onTimeout()
            bound.value.close(promise: nil)
        }
    }

    private func cancel() {
        self.deadline?.cancel()
        self.deadline = nil
    }
}
