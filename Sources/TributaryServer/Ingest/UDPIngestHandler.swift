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
/// over at the end of each read burst (`channelReadComplete`), or sooner when one fills up.
///
/// Runs on the channel's event-loop thread; the copying and hashing here cost a fraction of parsing and
/// aggregating, which the workers do (``IngestWorkers``).
final class UDPPartitioningHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let workers: IngestWorkers
    private let statistics: IngestStatistics
    private var batches: StatsDLinePartition.Batches
    /// A batch this large is handed over before the read burst ends.
    private let flushBytes: Int
    private let relay: StatsDRelay?

    init(workers: IngestWorkers, statistics: IngestStatistics, flushBytes: Int = 192 * 1024, relay: StatsDRelay? = nil) {
        self.workers = workers
        self.statistics = statistics
        self.relay = relay
        self.flushBytes = flushBytes
        self.batches = StatsDLinePartition.Batches(shardCount: workers.count, reservingBytes: 256 * 1024)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = self.unwrapInboundIn(data)
        self.statistics.increment(.udpPackets)
        envelope.data.withUnsafeReadableBytes { bytes in
            if let relay = self.relay { relay.submit(bytes) }
            self.batches.append(datagram: bytes)
        }
        for shard in 0..<self.workers.count where self.batches.buffers[shard].count >= self.flushBytes {
            self.handOver(shard)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        for shard in 0..<self.workers.count where !self.batches.buffers[shard].isEmpty {
            self.handOver(shard)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A datagram socket reports per-read errors (e.g. ICMP); keep the socket open.
    }

    private func handOver(_ shard: Int) {
        let workers = self.workers
        self.batches.exchange(shard: shard) { workers.submit($0, to: shard) }
    }
}
