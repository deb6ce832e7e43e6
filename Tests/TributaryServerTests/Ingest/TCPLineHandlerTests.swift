import NIOCore
import NIOEmbedded
import Testing
import TributaryCore

@testable import TributaryServer

@Suite struct TCPLineHandlerTests {
    private func makeChannel(maxLineBytes: Int = 64) throws -> (EmbeddedChannel, AggregationShard, IngestStatistics) {
        let shard = AggregationShard()
        let statistics = IngestStatistics()
        let channel = EmbeddedChannel(handler: TCPLineHandler(shard: shard, statistics: statistics, maxLineBytes: maxLineBytes))
        return (channel, shard, statistics)
    }

    private func text(_ shard: AggregationShard) -> String {
        var bytes: [UInt8] = []
        shard.writeText(into: &bytes, now: 0)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func reassemblesLinesSplitAcrossReads() throws {
        let (channel, shard, _) = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "a:1|c\na:"))
        try channel.writeInbound(ByteBuffer(string: "2|c\n"))
        #expect(self.text(shard).contains("a 3\n"))
        #expect(try channel.finish().isClean)
    }

    @Test func appliesLastLineWithoutNewlineOnClose() throws {
        let (channel, shard, _) = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "b:5|c"))
        #expect(!self.text(shard).contains("b 5"))
        _ = try channel.finish()
        #expect(self.text(shard).contains("b 5\n"))
    }

    @Test func skipsTooLongLineAndKeepsConnection() throws {
        let (channel, shard, statistics) = try self.makeChannel(maxLineBytes: 16)
        try channel.writeInbound(ByteBuffer(string: "ok:1|c\n" + String(repeating: "x", count: 40)))
        try channel.writeInbound(ByteBuffer(string: String(repeating: "y", count: 40) + ":1|c\nok:1|c\n"))
        #expect(self.text(shard).contains("ok 2\n"))
        #expect(statistics.value(.tcpTooLongLines) == 1)
        #expect(shard.snapshot().counts.sampleErrors[ParseFailure.lineTooLong.rawValue] == 1)
        // The connection keeps working after the skipped line.
        try channel.writeInbound(ByteBuffer(string: "ok:1|c\n"))
        #expect(self.text(shard).contains("ok 3\n"))
        _ = try channel.finish()
    }

    @Test func tooLongLineInsideOneReadIsSkipped() throws {
        let (channel, shard, statistics) = try self.makeChannel(maxLineBytes: 16)
        try channel.writeInbound(ByteBuffer(string: "ok:1|c\n" + String(repeating: "z", count: 30) + ":1|c\nok:1|c\n"))
        #expect(self.text(shard).contains("ok 2\n"))
        #expect(statistics.value(.tcpTooLongLines) == 1)
        _ = try channel.finish()
    }

    @Test func countsConnections() throws {
        let (channel, _, statistics) = try self.makeChannel()
        channel.pipeline.fireChannelActive()
        #expect(statistics.value(.tcpConnections) == 1)
        _ = try channel.finish()
    }
}
