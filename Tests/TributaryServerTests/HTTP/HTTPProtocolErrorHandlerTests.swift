import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import TributaryServer

/// The server's HTTP pipeline on an `EmbeddedChannel`: NIO's codec with a small head limit, our error and timeout
/// handlers, and a last handler that closes on errors as ``MetricsHTTPHandler`` does.
@Suite struct HTTPProtocolErrorHandlerTests {
    private final class CloseOnError: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }

    private let counter = HTTPRequestCounter()

    private func makeChannel(maxHeaderBytes: Int = 1024) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let limits = MetricsHTTPServer.decoderLimits(maxHeaderBytes: maxHeaderBytes)
        let pipeline = channel.pipeline.syncOperations
        try pipeline.configureHTTPServerPipeline(
            withErrorHandling: false, withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
        let counter = self.counter
        try pipeline.addHandler(
            HTTPProtocolErrorHandler(counter: counter, maxHeaderBytes: maxHeaderBytes, logger: Logger(label: "test")) { 0 })
        try pipeline.addHandler(
            HTTPConnectionTimeoutHandler(idle: .seconds(30), request: .seconds(10)) {
                counter.recordFailure(.timeout, now: 0)
            })
        try pipeline.addHandler(CloseOnError())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    /// Everything written to the peer, as text.
    private func written(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    private func send(_ channel: EmbeddedChannel, _ text: String) {
        // A decoder error closes the channel; later writes may fail, which is fine here.
        _ = try? channel.writeInbound(ByteBuffer(string: text))
    }

    private var failures: [HTTPRequestFailure: UInt64] {
        let counts = self.counter.failureSnapshot()
        return Dictionary(uniqueKeysWithValues: HTTPRequestFailure.allCases.map { ($0, counts[$0.rawValue]) })
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n",
        "GET /metrics HTTP/9.9\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nBad Header\r\n\r\n",
        "\u{1}\u{2}\u{3}\r\n\r\n",
    ])
    func answersAMalformedRequestWith400AndCountsIt(request: String) throws {
        let channel = try self.makeChannel()
        self.send(channel, request)
        let response = try self.written(channel)
        #expect(response.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(response)")
        #expect(response.contains("connection: close\r\n") || response.contains("Connection: close\r\n"))
        #expect(response.contains("\r\n\r\nBad Request: "))
        #expect(!channel.isActive)
        #expect(self.failures == [.malformed: 1, .headerTooLarge: 0, .timeout: 0])
    }

    @Test(arguments: [
        "GET /metrics HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 2000))\r\n\r\n",
        "GET /\(String(repeating: "a", count: 2000)) HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\n" + String(repeating: "X-Small: 0123456789\r\n", count: 100) + "\r\n",
    ])
    func answersAnOversizedHeadWith431(request: String) throws {
        let channel = try self.makeChannel()
        self.send(channel, request)
        let response = try self.written(channel)
        #expect(response.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"), "\(response)")
        #expect(response.contains("exceed 1024 bytes"))
        #expect(!channel.isActive)
        #expect(self.failures == [.malformed: 0, .headerTooLarge: 1, .timeout: 0])
    }

    @Test func aHeadWithinTheLimitPassesThrough() throws {
        let channel = try self.makeChannel()
        self.send(channel, "GET /metrics HTTP/1.1\r\nX-Ok: \(String(repeating: "a", count: 900))\r\n\r\n")
        #expect(try self.written(channel).isEmpty)
        #expect(channel.isActive)
        #expect(self.failures.values.allSatisfy { $0 == 0 })
        _ = try? channel.finish()
    }

    @Test func countsAHeadCutOffByTheIdleDeadline() throws {
        let channel = try self.makeChannel()
        self.send(channel, "GET /metrics HTTP/1.1\r\nHost: x\r\n")  // never finished
        channel.embeddedEventLoop.advanceTime(by: .seconds(31))
        #expect(!channel.isActive)
        #expect(try self.written(channel).isEmpty)  // nothing is answered after a deadline
        #expect(self.failures == [.malformed: 0, .headerTooLarge: 0, .timeout: 1])
    }

    @Test func countsABodyCutOffByTheReadDeadlineOnce() throws {
        let channel = try self.makeChannel()
        self.send(channel, "POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        channel.embeddedEventLoop.advanceTime(by: .seconds(11))
        #expect(!channel.isActive)
        #expect(self.failures == [.malformed: 0, .headerTooLarge: 0, .timeout: 1])
    }

    @Test func doesNotCountAnIdleConnectionClosedBetweenRequests() throws {
        let channel = try self.makeChannel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(31))
        #expect(!channel.isActive)
        #expect(self.failures.values.allSatisfy { $0 == 0 })
    }

    @Test func doesNotCountAPeerThatHangsUpMidHead() throws {
        let channel = try self.makeChannel()
        self.send(channel, "GET /metrics HTTP/1.1\r\nHo")
        _ = try? channel.close().wait()
        #expect(self.failures.values.allSatisfy { $0 == 0 })
    }
}

@Suite struct HTTPRequestCounterTests {
    @Test func logsOncePerReasonAndIntervalWithTheSuppressedCount() {
        let counter = HTTPRequestCounter()
        let second = HTTPRequestCounter.failureLogInterval
        #expect(counter.recordFailure(.malformed, now: 10) == 1)
        #expect(counter.recordFailure(.malformed, now: 20) == nil)
        #expect(counter.recordFailure(.malformed, now: 30) == nil)
        #expect(counter.recordFailure(.headerTooLarge, now: 40) == 1)  // each reason has its own budget
        #expect(counter.recordFailure(.malformed, now: 10 + second) == 3)
        #expect(counter.failureSnapshot() == [4, 1, 0])
    }
}
