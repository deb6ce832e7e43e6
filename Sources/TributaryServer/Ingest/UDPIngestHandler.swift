import NIOCore
import TributaryCore

/// Applies each received datagram to its shard inline, on the channel's event-loop thread.
///
/// One lock acquisition per datagram; lines are parsed straight from the receive buffer.
final class UDPIngestHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let shard: AggregationShard
    private let statistics: IngestStatistics

    init(shard: AggregationShard, statistics: IngestStatistics) {
        self.shard = shard
        self.statistics = statistics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = self.unwrapInboundIn(data)
        self.statistics.increment(.udpPackets)
        let now = monotonicNanoseconds()
        envelope.data.withUnsafeReadableBytes { bytes in
            self.shard.apply(lines: bytes, now: now)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A datagram socket reports per-read errors (e.g. ICMP); keep the socket open.
    }
}
