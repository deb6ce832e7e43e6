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
        guard var pending = self.pending else {
            self.consume(&incoming)
            return
        }
        self.pending = nil
        // Only the rest of the split line is copied to complete it; the lines after it are applied in place.
        guard let newline = incoming.readableBytesView.firstIndex(of: UInt8(ascii: "\n")),
            var rest = incoming.readSlice(length: newline + 1 - incoming.readerIndex)
        else {
            pending.writeBuffer(&incoming)
            self.consume(&pending)
            return
        }
        pending.writeBuffer(&rest)
        self.consume(&pending)
        self.consume(&incoming)
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
        if !Self.hasLine(longerThan: self.maxLineBytes, in: bytes) {
            self.sink.apply(bytes, now)
            return
        }
        var start = 0
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

    /// Whether a line of `bytes` (newline-separated, the last one may lack its newline) is longer than `limit`.
    ///
    /// Without reading every byte: the line starting at `start` is within the limit exactly when a newline lies
    /// in the `limit + 1` bytes from `start`; the last newline there (searched from the window's end, so found after
    /// a line's length at most) starts the next window. A chunk needs about `count / limit` windows.
    static func hasLine(longerThan limit: Int, in bytes: UnsafeRawBufferPointer) -> Bool {
        var start = 0
        while bytes.count - start > limit {
            var index = start + limit
            while bytes[index] != UInt8(ascii: "\n") {
                if index == start { return true }
                index -= 1
            }
            start = index + 1
        }
        return false
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
