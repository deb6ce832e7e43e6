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

    @Test func completesASplitLineAndAppliesTheLinesAfterIt() throws {
        let (channel, shard, _) = self.makeChannel(maxLineBytes: 64)
        let line = #"{"name":"s","type":"counter","value":1}"#
        try channel.writeInbound(ByteBuffer(string: String(line.prefix(10))))
        try channel.writeInbound(ByteBuffer(string: String(line.dropFirst(10)) + "\n" + line + "\n" + line.prefix(20)))
        #expect(self.text(shard).contains("s 2\n"))
        // The completed line is over the limit: counted, and the lines after it are still applied.
        let long = #"{"name":"s","type":"counter","value":1,"help":""# + String(repeating: "x", count: 30) + "\"}"
        try channel.writeInbound(ByteBuffer(string: String(line.dropFirst(20)) + "\n" + long.prefix(50)))
        try channel.writeInbound(ByteBuffer(string: String(long.dropFirst(50)) + "\n" + line + "\n"))
        #expect(self.text(shard).contains("s 4\n"))
        #expect(shard.snapshot().counts.jsonErrors[JSONFeedFailure.lineTooLong.rawValue] == 1)
        #expect(try channel.finish().isClean)
    }

    @Test func findsLinesOverTheLimitAsAByteLoopDoes() {
        func slow(_ bytes: [UInt8], _ limit: Int) -> Bool {
            bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).contains { $0.count > limit }
        }
        var state: UInt64 = 42
        for _ in 0..<3000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = Int(state >> 40) % 200
            let limit = Int(state >> 20) % 40
            var bytes: [UInt8] = []
            for _ in 0..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append((state >> 33) % 12 == 0 ? UInt8(ascii: "\n") : UInt8(ascii: "x"))
            }
            let fast = bytes.withUnsafeBytes { TCPLineHandler.hasLine(longerThan: limit, in: $0) }
            #expect(fast == slow(bytes, limit), "\(String(decoding: bytes, as: UTF8.self)) limit \(limit)")
        }
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
