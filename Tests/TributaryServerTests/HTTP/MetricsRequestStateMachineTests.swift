import NIOCore
import NIOHTTP1
import Testing

@testable import TributaryServer

/// The metrics handler's request cycle alone: parts in, actions out.
@Suite struct MetricsRequestStateMachineTests {
    static func head(_ version: HTTPVersion = .http1_1, contentLength: Int? = nil, close: Bool = false)
        -> HTTPRequestHead
    {
        var head = HTTPRequestHead(version: version, method: .POST, uri: "/-/reload")
        if let contentLength { head.headers.add(name: "Content-Length", value: "\(contentLength)") }
        if close { head.headers.add(name: "Connection", value: "close") }
        return head
    }

    @Test func collectsHeadBodyAndEndIntoOneRequest() {
        var machine = MetricsRequestStateMachine(maxRequestBodyBytes: 8)
        let head = Self.head()
        #expect(machine.requestHeadReceived(head) == .doNothing)
        #expect(machine.requestBodyReceived(ByteBuffer(string: "abc")) == .doNothing)
        #expect(machine.requestBodyReceived(ByteBuffer(string: "de")) == .doNothing)
        #expect(machine.requestEndReceived() == .respond(head, body: Array("abcde".utf8)))
    }

    @Test func aPartWhileRespondingClosesTheConnection() {
        var machine = MetricsRequestStateMachine(maxRequestBodyBytes: 8)
        _ = machine.requestHeadReceived(Self.head())
        _ = machine.requestEndReceived()
        #expect(machine.requestHeadReceived(Self.head()) == .close)
    }

    @Test func keepsTheConnectionAfterTheResponseAndTakesTheNextRequest() {
        var machine = MetricsRequestStateMachine(maxRequestBodyBytes: 8)
        let head = Self.head()
        _ = machine.requestHeadReceived(head)
        _ = machine.requestEndReceived()
        #expect(machine.responseReady(for: head) == .writeAndKeepAlive(connectionHeader: nil))
        #expect(machine.requestHeadReceived(head) == .doNothing)
    }

    @Test func namesKeepAliveForHTTP10AndClosesWhenAsked() {
        var machine = MetricsRequestStateMachine(maxRequestBodyBytes: 8)
        var http10 = Self.head(.http1_0)
        http10.headers.add(name: "Connection", value: "keep-alive")
        #expect(machine.responseReady(for: http10) == .writeAndKeepAlive(connectionHeader: "keep-alive"))
        #expect(machine.responseReady(for: Self.head(.http1_0)) == .writeAndClose)
        #expect(machine.responseReady(for: Self.head(close: true)) == .writeAndClose)
        #expect(machine.responseReady(for: Self.head(), forceClose: true) == .writeAndClose)
    }

    @Test func aDeclaredBodyOverTheLimitIsRejectedAndTheRestIgnored() {
        var machine = MetricsRequestStateMachine(maxRequestBodyBytes: 8)
        let head = Self.head(contentLength: 9)
        #expect(machine.requestHeadReceived(head) == .rejectBody(head))
        #expect(machine.responseReady(for: head, forceClose: true) == .writeAndClose)
        #expect(machine.requestBodyReceived(ByteBuffer(string: "123456789")) == .doNothing)
        #expect(machine.requestEndReceived() == .doNothing)
        #expect(machine.requestHeadReceived(Self.head()) == .doNothing)  // still discarding until closed
    }

    @Test func aBodyGrowingOverTheLimitIsRejected() {
        var machine = MetricsRequestStateMachine(maxRequestBodyBytes: 4)
        let head = Self.head()
        _ = machine.requestHeadReceived(head)
        #expect(machine.requestBodyReceived(ByteBuffer(string: "1234")) == .doNothing)
        #expect(machine.requestBodyReceived(ByteBuffer(string: "5")) == .rejectBody(head))
        #expect(machine.requestEndReceived() == .doNothing)
    }

    @Test func aBodyOrEndWithoutAHeadClosesTheConnection() {
        var machine = MetricsRequestStateMachine(maxRequestBodyBytes: 4)
        #expect(machine.requestBodyReceived(ByteBuffer(string: "1")) == .close)
        var other = MetricsRequestStateMachine(maxRequestBodyBytes: 4)
        #expect(other.requestEndReceived() == .close)
    }
}
