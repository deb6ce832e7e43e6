/// Spreads StatsD lines over aggregation shards by their metric name, for the ingest worker threads
/// (`--statsd.ingest-threads`).
///
/// Only the name is hashed — the bytes before the first `:` (value), `,` (InfluxDB tags), `;` (Graphite tags),
/// `#` (Librato tags) or `[` (SignalFx tags) — so every line of a name, whatever its tags, value or type, lands in
/// the same shard and keeps its order there. Correctness does not depend on it: scrapes merge shards
/// (``ShardState/absorb(_:)``).
///
/// ```swift
/// var batches = StatsDLinePartition.Batches(shardCount: 4)
/// datagram.withUnsafeBytes { batches.append(datagram: $0) }
/// // batches.buffers[i] now holds the lines of shard i, each ending in "\n".
/// ```
package enum StatsDLinePartition {
    /// The shard of `line` among `shardCount` (FNV-1a of the name bytes).
    @inline(__always)
    package static func shard(of line: UnsafeRawBufferPointer, shardCount: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in line {
            if byte == UInt8(ascii: ":") || byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";")
                || byte == UInt8(ascii: "#") || byte == UInt8(ascii: "[")
            {
                break
            }
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int(hash % UInt64(shardCount))
    }

    /// One reusable byte buffer per shard that lines are copied into, newline-terminated.
    package struct Batches {
        package private(set) var buffers: [[UInt8]]

        package init(shardCount: Int, reservingBytes: Int = 0) {
            self.buffers = (0..<max(1, shardCount)).map { _ in
                var buffer: [UInt8] = []
                buffer.reserveCapacity(reservingBytes)
                return buffer
            }
        }

        /// Copies each non-empty line of `datagram` to its shard's buffer (no allocation once the buffers have
        /// grown to their working size).
        @inline(__always)
        package mutating func append(datagram: UnsafeRawBufferPointer) {
            let shardCount = self.buffers.count
            StatsDLineParser.forEachLine(in: datagram) { line in
                if line.isEmpty { return }
                let shard = shardCount == 1 ? 0 : StatsDLinePartition.shard(of: line, shardCount: shardCount)
                self.buffers[shard].append(contentsOf: line)
                self.buffers[shard].append(UInt8(ascii: "\n"))
            }
        }

        /// Hands the buffer of `shard` to `body` and puts back the (emptied) buffer it returns.
        package mutating func exchange(shard: Int, _ body: ([UInt8]) -> [UInt8]) {
            let full = self.buffers[shard]
            self.buffers[shard] = []
            var empty = body(full)
            empty.removeAll(keepingCapacity: true)
            self.buffers[shard] = empty
        }
    }
}
