import NIOCore
import NIOHTTP1

/// One HTTP/1.1 connection's request cycle in ``MetricsHTTPHandler`` as a state machine: collect a request (head,
/// body up to a limit, end), respond once (possibly after offloaded work), then keep the connection or close it.
///
/// Pure and single-threaded: the handler owns one per connection on its event loop and performs the returned
/// actions. `HTTPServerPipelineHandler` delivers one request at a time, so at most one is in flight. No time is
/// involved (deadlines are ``HTTPConnectionTimeoutStateMachine``'s).
struct MetricsRequestStateMachine {
    enum ReadAction: Equatable {
        case doNothing
        /// The whole request arrived: route and answer it (the response may be produced off the event loop).
        case respond(HTTPRequestHead, body: [UInt8])
        /// The body exceeds the limit: answer 413 and close; the rest of the request is ignored.
        case rejectBody(HTTPRequestHead)
        /// A part out of order (the decoder would have failed first): drop the connection.
        case close
    }

    enum ResponseAction: Equatable {
        /// Write the response and keep the connection; `connectionHeader` is `keep-alive` for HTTP/1.0.
        case writeAndKeepAlive(connectionHeader: String?)
        /// Write the response with `Connection: close`, then close.
        case writeAndClose
    }

    private enum State {
        case idle
        case receiving(HTTPRequestHead, body: [UInt8])
        /// Body too large: 413 sent, the rest of the request is ignored and the connection closes.
        case discarding
        /// The request is complete; its response is being produced.
        case responding
    }

    /// Larger request bodies get 413.
    let maxRequestBodyBytes: Int
    private var state = State.idle

    init(maxRequestBodyBytes: Int) {
        self.maxRequestBodyBytes = maxRequestBodyBytes
    }

    mutating func requestHeadReceived(_ head: HTTPRequestHead) -> ReadAction {
        switch self.state {
        case .idle:
            if let length = head.headers.first(name: "content-length").flatMap(Int.init),
                length > self.maxRequestBodyBytes
            {
                self.state = .discarding
                return .rejectBody(head)
            }
            self.state = .receiving(head, body: [])
            return .doNothing
        case .discarding:
            return .doNothing
        case .receiving, .responding:
            return .close
        }
    }

    mutating func requestBodyReceived(_ chunk: ByteBuffer) -> ReadAction {
        switch self.state {
        case .receiving(let head, var body):
            guard body.count + chunk.readableBytes <= self.maxRequestBodyBytes else {
                self.state = .discarding
                return .rejectBody(head)
            }
            self.state = .responding  // release the array's storage before appending (avoid copy-on-write)
            body.append(contentsOf: chunk.readableBytesView)
            self.state = .receiving(head, body: body)
            return .doNothing
        case .discarding:
            return .doNothing
        case .idle, .responding:
            return .close
        }
    }

    mutating func requestEndReceived() -> ReadAction {
        switch self.state {
        case .receiving(let head, let body):
            self.state = .responding
            return .respond(head, body: body)
        case .discarding:
            return .doNothing
        case .idle, .responding:
            return .close
        }
    }

    /// A response to `request` is ready to be written (an early 413 included); `forceClose` closes regardless of
    /// keep-alive. Afterwards the next request may start, unless the connection is discarding a request.
    mutating func responseReady(for request: HTTPRequestHead, forceClose: Bool = false) -> ResponseAction {
        if case .discarding = self.state {} else { self.state = .idle }
        guard request.isKeepAlive && !forceClose else { return .writeAndClose }
        let http10 = request.version.major == 1 && request.version.minor == 0
        return .writeAndKeepAlive(connectionHeader: http10 ? "keep-alive" : nil)
    }
}
