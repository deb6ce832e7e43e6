/// The two deadlines of one HTTP connection (idle and request) as a state machine: one `mutating func` per event,
/// each returning what the handler must do with its single scheduled deadline.
///
/// Pure and single-threaded: ``HTTPConnectionTimeoutHandler`` owns one per connection and drives it on the
/// connection's event loop with ``EventLoopClock``; tests drive it with a manual clock.
///
/// - `idle`: from connection open (or the end of the last response) until a complete request head.
/// - `request`: from the head until the end of the request body.
/// - No deadline while a response is being produced or written, however slow.
struct HTTPConnectionTimeoutStateMachine<C: Clock> {
    enum Phase: Equatable {
        case waitingForHead
        /// Between head and end; `responded` when the response went out early (401, 413).
        case readingRequest(responded: Bool)
        case responding
    }

    /// What to do with the connection's one deadline.
    enum DeadlineAction: Equatable {
        /// Replace any scheduled deadline with one at this instant.
        case schedule(C.Instant)
        /// Cancel the scheduled deadline (none runs now).
        case cancel
        case doNothing
    }

    enum DeadlinePassedAction: Equatable {
        /// Close the connection.
        case close
        /// Close it and count a request cut off by a deadline.
        case closeAndCountTimeout
    }

    enum TruncatedRequestAction: Equatable {
        /// The idle deadline cut off a partly sent head: count it as a timeout.
        case countTimeout
        case doNothing
    }

    let idleTimeout: C.Duration
    let requestTimeout: C.Duration
    let clock: C
    private(set) var phase = Phase.waitingForHead
    /// The idle deadline closed the connection; a truncated request reported next means a head was cut off.
    private var closedWhileWaitingForHead = false

    /// A zero or negative timeout disables that deadline.
    init(idleTimeout: C.Duration, requestTimeout: C.Duration, clock: C) {
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.clock = clock
    }

    /// The connection became active (or the handler was added to an active one): the idle deadline starts.
    mutating func connectionActivated() -> DeadlineAction {
        self.arm(self.idleTimeout)
    }

    /// A request head arrived (in any phase): the request deadline starts.
    mutating func requestHeadReceived() -> DeadlineAction {
        self.phase = .readingRequest(responded: false)
        return self.arm(self.requestTimeout)
    }

    /// The end of a request arrived: no deadline while responding, or the idle one when the response already went.
    mutating func requestEndReceived() -> DeadlineAction {
        guard case .readingRequest(let responded) = self.phase else { return .doNothing }
        if responded {
            self.phase = .waitingForHead
            return self.arm(self.idleTimeout)
        }
        self.phase = .responding
        return .cancel
    }

    /// The end of a response was written: idle again, unless the request body is still arriving (an early 401 or
    /// 413), whose request deadline keeps running.
    mutating func responseEndWritten() -> DeadlineAction {
        switch self.phase {
        case .responding, .waitingForHead:
            self.phase = .waitingForHead
            return self.arm(self.idleTimeout)
        case .readingRequest:
            self.phase = .readingRequest(responded: true)
            return .doNothing
        }
    }

    /// The scheduled deadline passed: close; a cut-off body counts now, a cut-off head once the decoder reports it
    /// (``truncatedRequestReported()``).
    mutating func deadlinePassed() -> DeadlinePassedAction {
        switch self.phase {
        case .readingRequest:
            return .closeAndCountTimeout
        case .waitingForHead:
            self.closedWhileWaitingForHead = true
            return .close
        case .responding:
            return .close  // no deadline runs then
        }
    }

    /// The HTTP decoder reported a request cut off by the end of the stream (`invalidEOFState`).
    mutating func truncatedRequestReported() -> TruncatedRequestAction {
        guard self.closedWhileWaitingForHead else { return .doNothing }
        self.closedWhileWaitingForHead = false
        return .countTimeout
    }

    private func arm(_ timeout: C.Duration) -> DeadlineAction {
        timeout > .zero ? .schedule(self.clock.now.advanced(by: timeout)) : .cancel
    }
}
