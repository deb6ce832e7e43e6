import NIOCore

/// A `Clock` that reads an event loop's time (`EventLoop.now`), so state machines driven by a handler see the same
/// time its scheduled tasks do — including an `EmbeddedEventLoop`'s virtual time in tests.
///
/// Read on the loop's own thread (`EventLoop.now` of a real loop is the monotonic uptime clock).
struct EventLoopClock: Clock {
    /// A point in the event loop's time.
    struct Instant: InstantProtocol {
        var deadline: NIODeadline

        func advanced(by duration: Duration) -> Self {
            Self(deadline: self.deadline + TimeAmount(duration))
        }

        func duration(to other: Self) -> Duration {
            Duration(other.deadline - self.deadline)
        }

        static func < (lhs: Self, rhs: Self) -> Bool { lhs.deadline < rhs.deadline }
    }

    let eventLoop: any EventLoop

    var now: Instant { Instant(deadline: self.eventLoop.now) }

    var minimumResolution: Duration { .nanoseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try await self.eventLoop.scheduleTask(deadline: deadline.deadline) {}.futureResult.get()
    }
}
