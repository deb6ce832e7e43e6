import Testing

@testable import TributaryServer

/// The idle and request deadlines alone, with a manual clock.
@Suite struct HTTPConnectionTimeoutStateMachineTests {
    typealias Machine = HTTPConnectionTimeoutStateMachine<ManualClock>

    let clock = ManualClock()

    func machine(idle: Duration = .seconds(30), request: Duration = .seconds(10)) -> Machine {
        Machine(idleTimeout: idle, requestTimeout: request, clock: self.clock)
    }

    @Test func idleDeadlineStartsWhenTheConnectionOpensAndClosesWithoutCounting() {
        var machine = self.machine()
        #expect(machine.connectionActivated() == .schedule(.at(.seconds(30))))
        self.clock.advance(by: .seconds(30))
        #expect(machine.deadlinePassed() == .close)
        #expect(machine.phase == .waitingForHead)
    }

    @Test func aHeadCutOffByTheIdleDeadlineCountsOnceWhenTheDecoderReportsIt() {
        var machine = self.machine()
        _ = machine.connectionActivated()
        #expect(machine.truncatedRequestReported() == .doNothing)  // not closed by us: not ours to count
        #expect(machine.deadlinePassed() == .close)
        #expect(machine.truncatedRequestReported() == .countTimeout)
        #expect(machine.truncatedRequestReported() == .doNothing)
    }

    @Test func requestDeadlineRunsFromHeadToEndAndCountsWhenItPasses() {
        var machine = self.machine()
        _ = machine.connectionActivated()
        self.clock.advance(by: .seconds(5))
        #expect(machine.requestHeadReceived() == .schedule(.at(.seconds(15))))
        #expect(machine.phase == .readingRequest(responded: false))
        self.clock.advance(by: .seconds(10))
        #expect(machine.deadlinePassed() == .closeAndCountTimeout)
    }

    @Test func noDeadlineWhileRespondingThenIdleAfterTheResponse() {
        var machine = self.machine()
        _ = machine.connectionActivated()
        _ = machine.requestHeadReceived()
        #expect(machine.requestEndReceived() == .cancel)
        #expect(machine.phase == .responding)
        self.clock.advance(by: .seconds(120))  // a slow scrape
        #expect(machine.responseEndWritten() == .schedule(.at(.seconds(150))))
        #expect(machine.phase == .waitingForHead)
    }

    @Test func anEarlyResponseKeepsTheRequestDeadlineUntilTheBodyEnds() {
        var machine = self.machine()
        _ = machine.connectionActivated()
        #expect(machine.requestHeadReceived() == .schedule(.at(.seconds(10))))
        #expect(machine.responseEndWritten() == .doNothing)  // a 401 before the body arrived
        #expect(machine.phase == .readingRequest(responded: true))
        self.clock.advance(by: .seconds(5))
        #expect(machine.requestEndReceived() == .schedule(.at(.seconds(35))))
        #expect(machine.phase == .waitingForHead)
    }

    @Test func anEndOutsideARequestChangesNothing() {
        var machine = self.machine()
        _ = machine.connectionActivated()
        #expect(machine.requestEndReceived() == .doNothing)
        #expect(machine.phase == .waitingForHead)
    }

    @Test func aZeroTimeoutDisablesThatDeadline() {
        var machine = self.machine(idle: .zero, request: .seconds(10))
        #expect(machine.connectionActivated() == .cancel)
        #expect(machine.requestHeadReceived() == .schedule(.at(.seconds(10))))
        _ = machine.requestEndReceived()
        #expect(machine.responseEndWritten() == .cancel)
    }
}
