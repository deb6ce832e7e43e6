/// Encodes the series state of every shard into one snapshot file's bytes (layout in ``SnapshotHeader``).
///
/// Pure: the caller takes the shards' scrape copies (``AggregationShard/scrapeCopy()``, so ingest is never held up
/// while this runs), passes the clocks, and writes the bytes to disk.
///
/// ```swift
/// let copies = shards.all.map { $0.scrapeCopy() }
/// let bytes = SnapshotWriter.encode(copies, now: monotonicNanoseconds(), wallClockSeconds: Date().timeIntervalSince1970)
/// ```
package enum SnapshotWriter {
    /// - Parameters:
    ///   - shards: one state per shard, in shard order (the restore puts each family back in its shard).
    ///   - now: monotonic ns of the copies; window ends and last updates are written relative to it.
    ///   - wallClockSeconds: seconds since the epoch now; the restore measures the downtime from it.
    ///   - capacity: bytes to reserve (the previous snapshot's size), so the buffer grows once.
    package static func encode(
        _ shards: [ShardState], now: UInt64, wallClockSeconds: Double, capacity: Int = 64 * 1024
    ) -> [UInt8] {
        var encoder = SnapshotEncoder(now: now, reservingCapacity: capacity)
        let header = SnapshotHeader(
            shardCount: UInt32(max(1, shards.count)), writtenAtSeconds: wallClockSeconds,
            mappingHash: shards.first?.mapper.sourceHash ?? 0)
        header.encode(into: &encoder)
        var records = 0
        for (index, shard) in shards.enumerated() {
            records += shard.store.encodeSnapshotRecords(shard: UInt32(index), into: &encoder)
        }
        let endStart = encoder.bytes.count
        encoder.write(SnapshotHeader.endMarker)
        encoder.write(count: records)
        encoder.write(SnapshotHash.hash(encoder.bytes, from: endStart, to: encoder.bytes.count))
        return encoder.takeBytes()
    }
}
