import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import TributaryServer

@Suite struct HTTPConnectionTimeoutHandlerTests {
    private func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: HTTPConnectionTimeoutHandler(idle: .seconds(30), request: .seconds(10)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    private let head = HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/metrics"))

    @Test func closesAConnectionThatSendsNothing() throws {
        let channel = try self.makeChannel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test func closesARequestWhoseBodyNeverEnds() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(self.head)
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test func noDeadlineWhileTheResponseIsProducedThenIdleAgain() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(self.head)
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(120))  // a slow scrape is not cut off
        #expect(channel.isActive)
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))  // idle keep-alive connection
        #expect(!channel.isActive)
    }

    @Test func anEarlyResponseKeepsTheRequestDeadlineUntilTheBodyEnds() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(self.head)
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .unauthorized)))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))  // e.g. a 401 before the body arrived
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))  // body done: now the idle deadline runs
        channel.embeddedEventLoop.advanceTime(by: .seconds(29))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }
}
