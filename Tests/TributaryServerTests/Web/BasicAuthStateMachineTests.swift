import NIOCore
import NIOHTTP1
import Testing

@testable import TributaryServer

/// Basic-auth gating alone: parts in, actions out.
@Suite struct BasicAuthStateMachineTests {
    let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/-/reload")

    static func body(_ bytes: Int) -> HTTPServerRequestPart { .body(ByteBuffer(repeating: 0x61, count: bytes)) }

    @Test func knownGoodCredentialsForwardTheWholeRequest() {
        var machine = BasicAuthStateMachine()
        #expect(machine.requestPartReceived(.head(self.head)) { _ in .knownGood } == .forward)
        #expect(machine.requestPartReceived(Self.body(3)) { _ in .missing } == .forward)
        #expect(machine.requestPartReceived(.end(nil)) { _ in .missing } == .forward)
        // The next request is checked again.
        #expect(machine.requestPartReceived(.head(self.head)) { _ in .missing } == .reject(self.head))
    }

    @Test func missingCredentialsRejectAndDropTheRestOfTheRequest() {
        var machine = BasicAuthStateMachine()
        #expect(machine.requestPartReceived(.head(self.head)) { _ in .missing } == .reject(self.head))
        #expect(machine.requestPartReceived(Self.body(3)) { _ in .knownGood } == .drop)
        #expect(machine.requestPartReceived(.end(nil)) { _ in .knownGood } == .drop)
        #expect(machine.requestPartReceived(.head(self.head)) { _ in .knownGood } == .forward)
    }

    @Test func unverifiedCredentialsHoldPartsUntilTheVerdictThenReleaseThemInOrder() {
        var machine = BasicAuthStateMachine()
        #expect(
            machine.requestPartReceived(.head(self.head)) { _ in .unverified(user: "u", password: "p") }
                == .verify(user: "u", password: "p"))
        #expect(machine.requestPartReceived(Self.body(2)) { _ in .missing } == .hold)
        #expect(machine.verificationCompleted(valid: true) == .release([.head(self.head), Self.body(2)]))
        // The body had not ended: its remaining parts go straight on.
        #expect(machine.requestPartReceived(.end(nil)) { _ in .missing } == .forward)
        #expect(machine.verificationCompleted(valid: true) == .doNothing)
    }

    @Test func aFailedVerificationRejectsAndDropsWhatIsLeftOfTheRequest() {
        var machine = BasicAuthStateMachine()
        _ = machine.requestPartReceived(.head(self.head)) { _ in .unverified(user: "u", password: "x") }
        #expect(machine.verificationCompleted(valid: false) == .reject(self.head))
        #expect(machine.requestPartReceived(.end(nil)) { _ in .knownGood } == .drop)
        #expect(machine.requestPartReceived(.head(self.head)) { _ in .knownGood } == .forward)
    }

    @Test func aFailedVerificationAfterTheEndLeavesTheConnectionReadyForTheNextRequest() {
        var machine = BasicAuthStateMachine()
        _ = machine.requestPartReceived(.head(self.head)) { _ in .unverified(user: "u", password: "x") }
        #expect(machine.requestPartReceived(.end(nil)) { _ in .missing } == .hold)
        #expect(machine.verificationCompleted(valid: false) == .reject(self.head))
        #expect(machine.requestPartReceived(.head(self.head)) { _ in .missing } == .reject(self.head))
    }

    @Test func tooMuchBodyHeldDuringAVerificationClosesTheConnection() {
        var machine = BasicAuthStateMachine(maxHeldBytes: 4)
        _ = machine.requestPartReceived(.head(self.head)) { _ in .unverified(user: "u", password: "p") }
        #expect(machine.requestPartReceived(Self.body(4)) { _ in .missing } == .hold)
        #expect(machine.requestPartReceived(Self.body(1)) { _ in .missing } == .close)
    }

    @Test func aBodyWithoutAHeadClosesTheConnection() {
        var machine = BasicAuthStateMachine()
        var asked = false
        #expect(machine.requestPartReceived(Self.body(1)) { _ in asked = true; return .knownGood } == .close)
        #expect(!asked)  // credentials are asked for only when a head starts a request
    }
}
