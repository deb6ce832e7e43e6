import NIOCore
import TributaryCore

/// Applies each received datagram to its shard inline, on the channel's event-loop thread.
///
/// One lock acquisition per datagram; lines are parsed straight from the receive buffer.
final class UDPIngestHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let shard: AggregationShard
    private let statistics: IngestStatistics
    private let relay: StatsDRelay?

    init(shard: AggregationShard, statistics: IngestStatistics, relay: StatsDRelay? = nil) {
        self.shard = shard
        self.statistics = statistics
        self.relay = relay
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = self.unwrapInboundIn(data)
        self.statistics.increment(.udpPackets)
        let now = monotonicNanoseconds()
        envelope.data.withUnsafeReadableBytes { bytes in
            if let relay = self.relay { relay.submit(bytes) }
            self.shard.apply(lines: bytes, now: now)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A datagram socket reports per-read errors (e.g. ICMP); keep the socket open.
    }
}

/// Splits each received datagram's lines into one batch per ingest worker (by metric name) and hands the batches
/// over at the end of each read burst (`channelReadComplete`), or sooner when one fills up (``IngestWorkers/Batcher``).
///
/// Runs on the channel's event-loop thread; the copying and hashing here cost a fraction of parsing and
/// aggregating, which the workers do (``IngestWorkers``).
final class UDPPartitioningHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let statistics: IngestStatistics
    private var batcher: IngestWorkers.Batcher
    private let relay: StatsDRelay?

    init(workers: IngestWorkers, statistics: IngestStatistics, flushBytes: Int = 192 * 1024, relay: StatsDRelay? = nil) {
        self.statistics = statistics
        self.relay = relay
        self.batcher = IngestWorkers.Batcher(workers: workers, flushBytes: flushBytes)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = self.unwrapInboundIn(data)
        self.statistics.increment(.udpPackets)
        envelope.data.withUnsafeReadableBytes { bytes in
            if let relay = self.relay { relay.submit(bytes) }
            self.batcher.add(datagram: bytes)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.batcher.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A datagram socket reports per-read errors (e.g. ICMP); keep the socket open.
    }
}
