import NIOCore
import TributaryCore

/// Frames a byte stream (StatsD over TCP, the JSON feed over a Unix socket) into lines and applies complete
/// lines to the shard, inline on the channel's event loop.
///
/// All complete lines of one read are applied under one lock before the next read, so a writer faster than
/// the shard is slowed by the socket, not dropped. A line split across reads is reassembled. A line longer
/// than `maxLineBytes` is counted and skipped up to its newline; the connection continues.
final class TCPLineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// What the handler does with lines, per protocol.
    struct Sink {
        /// Applies complete lines (without a trailing partial line). Arguments: the bytes, monotonic ns.
        var apply: (UnsafeRawBufferPointer, UInt64) -> Void
        /// Counts one line over the limit.
        var tooLong: () -> Void
        var connected: () -> Void
        var failed: () -> Void
    }

    private let sink: Sink
    private let maxLineBytes: Int
    private var pending: ByteBuffer?
    /// True while discarding the rest of an over-long line.
    private var skipping = false

    /// StatsD over TCP.
    convenience init(shard: AggregationShard, statistics: IngestStatistics, maxLineBytes: Int, relay: StatsDRelay? = nil) {
        let apply: (UnsafeRawBufferPointer, UInt64) -> Void =
            if let relay {
                { bytes, now in
                    relay.submit(bytes)
                    shard.apply(lines: bytes, now: now)
                }
            } else {
                { bytes, now in shard.apply(lines: bytes, now: now) }
            }
        let sink = Sink(
            apply: apply,
            tooLong: {
                statistics.increment(.tcpTooLongLines)
                shard.countRejectedLine(.lineTooLong)
            },
            connected: { statistics.increment(.tcpConnections) },
            failed: { statistics.increment(.tcpConnectionErrors) })
        self.init(sink: sink, maxLineBytes: maxLineBytes)
    }

    init(sink: Sink, maxLineBytes: Int) {
        self.sink = sink
        self.maxLineBytes = maxLineBytes
    }

    func channelActive(context: ChannelHandlerContext) {
        self.sink.connected()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = self.unwrapInboundIn(data)
        if self.skipping {
            guard let newline = incoming.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return }
            incoming.moveReaderIndex(to: newline + 1)
            self.skipping = false
        }
        if var pending = self.pending {
            pending.writeBuffer(&incoming)
            self.pending = nil
            self.consume(&pending)
        } else {
            self.consume(&incoming)
        }
    }

    private func consume(_ buffer: inout ByteBuffer) {
        let view = buffer.readableBytesView
        if let lastNewline = view.lastIndex(of: UInt8(ascii: "\n")) {
            let length = lastNewline + 1 - buffer.readerIndex
            let now = monotonicNanoseconds()
            buffer.withUnsafeReadableBytes { bytes in
                self.applyLines(UnsafeRawBufferPointer(rebasing: bytes[0..<length]), now: now)
            }
            buffer.moveReaderIndex(forwardBy: length)
        }
        if buffer.readableBytes > self.maxLineBytes {
            self.sink.tooLong()
            self.skipping = true
            return
        }
        if buffer.readableBytes > 0 {
            buffer.discardReadBytes()
            self.pending = buffer
        }
    }

    /// Applies complete lines, counting (and skipping) any that exceed the limit.
    private func applyLines(_ bytes: UnsafeRawBufferPointer, now: UInt64) {
        var start = 0
        var tooLong = false
        var index = 0
        // Fast check: are all lines within the limit? Then apply the chunk in one call.
        while index < bytes.count {
            var end = index
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            if end - index > self.maxLineBytes { tooLong = true }
            index = end + 1
        }
        if !tooLong {
            self.sink.apply(bytes, now)
            return
        }
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            if end - start > self.maxLineBytes {
                self.sink.tooLong()
            } else {
                self.sink.apply(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), now)
            }
            start = end + 1
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A last line without a newline still counts when the peer closes cleanly.
        if let pending = self.pending, !self.skipping {
            self.pending = nil
            let now = monotonicNanoseconds()
            pending.withUnsafeReadableBytes { self.applyLines($0, now: now) }
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.sink.failed()
        context.close(promise: nil)
    }
}
