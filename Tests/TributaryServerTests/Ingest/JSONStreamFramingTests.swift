import NIOCore
import NIOEmbedded
import Testing
import TributaryCore

@testable import TributaryServer

@Suite struct JSONStreamFramingTests {
    private func makeChannel(maxLineBytes: Int = 128) -> (EmbeddedChannel, AggregationShard, IngestStatistics) {
        let shard = AggregationShard()
        let statistics = IngestStatistics()
        let handler = TCPLineHandler(sink: JSONIngestService.sink(shard: shard, statistics: statistics), maxLineBytes: maxLineBytes)
        return (EmbeddedChannel(handler: handler), shard, statistics)
    }

    private func text(_ shard: AggregationShard) -> String {
        var bytes: [UInt8] = []
        shard.writeText(into: &bytes, now: 0)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func reassemblesObjectsSplitAcrossReads() throws {
        let (channel, shard, _) = self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: #"{"name":"a","type":"counter","value":1}"# + "\n" + #"{"name":"a","ty"#))
        #expect(self.text(shard).contains("a 1\n"))
        try channel.writeInbound(ByteBuffer(string: #"pe":"counter","#))
        try channel.writeInbound(ByteBuffer(string: #""value":2}"# + "\n"))
        #expect(self.text(shard).contains("a 3\n"))
        #expect(shard.snapshot().counts.jsonSamples == 2)
        #expect(try channel.finish().isClean)
    }

    @Test func appliesLastLineOnClose() throws {
        let (channel, shard, _) = self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: #"{"name":"b","type":"gauge","value":5}"#))
        #expect(!self.text(shard).contains("b 5"))
        _ = try channel.finish()
        #expect(self.text(shard).contains("b 5\n"))
    }

    @Test func skipsTooLongLineAndContinues() throws {
        let (channel, shard, statistics) = self.makeChannel(maxLineBytes: 64)
        let long = #"{"name":"long","type":"counter","value":1,"help":""# + String(repeating: "x", count: 100) + #""}"#
        try channel.writeInbound(ByteBuffer(string: String(long.prefix(70))))
        try channel.writeInbound(ByteBuffer(string: String(long.dropFirst(70)) + "\n"))
        try channel.writeInbound(ByteBuffer(string: #"{"name":"ok","type":"counter","value":1}"# + "\n"))
        #expect(self.text(shard).contains("ok 1\n"))
        #expect(!self.text(shard).contains("long"))
        #expect(shard.snapshot().counts.jsonErrors[JSONFeedFailure.lineTooLong.rawValue] == 1)
        #expect(statistics.value(.jsonConnections) == 0)  // EmbeddedChannel starts inactive
        #expect(try channel.finish().isClean)
    }

    @Test func countsMalformedLinesAndKeepsReading() throws {
        let (channel, shard, _) = self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "{oops\n" + #"{"name":"c","type":"counter","value":4}"# + "\r\n"))
        #expect(self.text(shard).contains("c 4\n"))
        #expect(shard.snapshot().counts.jsonErrors[JSONFeedFailure.invalidJSON.rawValue] == 1)
        #expect(try channel.finish().isClean)
    }
}
