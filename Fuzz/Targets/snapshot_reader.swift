// libFuzzer target: one input = a snapshot file, restored into fresh shards (once with checksums checked, once
// without, so random bytes reach the family and value decoders), written out, snapshotted again and restored again.
import TributaryCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSnapshotReader(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: count))
    for verify in [true, false] {
        let shards = AggregationShards(count: 2)
        _ = SnapshotReader.restore(
            bytes, into: shards.all, now: 5_000_000_000, wallClockSeconds: 1_700_000_000, verifyChecksums: verify)
        var state = shards.scrapeCopy()
        var out: [UInt8] = []
        state.writeText(into: &out, now: 6_000_000_000)
        // Restored state must survive further use: ingest, expiry, another snapshot and its restore.
        let line = Array("fuzz.counter:1|c\nfuzz.timer:3|ms\nfuzz.set:a|s".utf8)
        for shard in shards.all {
            line.withUnsafeBytes { shard.apply(lines: $0, now: 7_000_000_000) }
            shard.expire(now: 8_000_000_000)
        }
        let again = SnapshotWriter.encode(
            shards.all.map { $0.scrapeCopy() }, now: 9_000_000_000, wallClockSeconds: 1_700_000_010)
        let copy = AggregationShards(count: 1)
        let report = SnapshotReader.restore(again, into: copy.all, now: 1, wallClockSeconds: 1_700_000_011)
        // Families may still be dropped (a TTL of a few ns; two shards' same-named families of different types meeting
        // in one shard), but never for a checksum or a cut: what Tributary writes reads back whole.
        precondition(
            report.complete && report.dropped[.checksumMismatch] == nil && report.dropped[.truncated] == nil,
            "a snapshot Tributary wrote must read back whole: \(report.summary)")
    }
    return 0
}
