/// Restores a snapshot's bytes into the shards, keeping what is valid and reporting what is not. Never traps on
/// any input (fuzzed: `Fuzz/snapshot_reader`).
///
/// Run at start, before any listener opens. Each record (one family of one shard) is checked on its own: a bad
/// checksum or value drops that record, a cut file drops the records after the cut, series whose TTL passed while
/// Tributary was down are dropped, and under another mapping file a family is kept only if the current mapping
/// still produces its name and type (``ShardState/restore(_:checkMapping:)``). A foreign or newer file is dropped
/// whole.
package enum SnapshotReader {
    /// - Parameters:
    ///   - now: monotonic ns now (this process's clock).
    ///   - wallClockSeconds: seconds since the epoch now; with the header's write time, the downtime.
    ///   - verifyChecksums: false only in the fuzz target, to reach the value decoders with random bytes.
    package static func restore(
        _ bytes: [UInt8], into shards: [AggregationShard], now: UInt64, wallClockSeconds: Double,
        verifyChecksums: Bool = true
    ) -> SnapshotRestoreReport {
        var report = SnapshotRestoreReport()
        guard !shards.isEmpty else { return report }
        bytes.withUnsafeBytes { raw in
            var decoder = SnapshotDecoder(bytes: raw, now: now, downtimeNanos: 0)
            let header: SnapshotHeader
            do throws(SnapshotFailure) {
                header = try SnapshotHeader.decode(from: &decoder, bytes: raw, verify: verifyChecksums)
            } catch {
                report.drop(error)
                return
            }
            report.header = header
            let downtime = max(0, wallClockSeconds - header.writtenAtSeconds)
            let downtimeNanos = downtime < 1e9 ? UInt64(downtime * 1e9) : UInt64(1e18)
            let mappingHash = shards[0].withState { $0.mapper.sourceHash }
            report.mappingChanged = header.mappingHash != mappingHash
            var offset = decoder.offset
            var records = 0
            while true {
                var cursor = SnapshotDecoder(bytes: raw, offset: offset, now: now, downtimeNanos: downtimeNanos)
                guard let marker = try? cursor.readUInt32() else { return report.drop(.truncated) }
                if marker == SnapshotHeader.endMarker {
                    return Self.readEnd(&cursor, raw: raw, from: offset, records: records, verify: verifyChecksums, into: &report)
                }
                let recordStart = offset
                records += 1
                guard marker == SnapshotHeader.recordMarker, let length = try? cursor.readUInt32(),
                    Int(length) <= cursor.remaining - 8
                else {
                    // A damaged marker or length, or a cut file: go on at the next marker, if there is one.
                    guard let next = Self.nextMarker(in: raw, after: recordStart) else { return report.drop(.truncated) }
                    report.drop(.checksumMismatch)
                    offset = next
                    continue
                }
                let payloadStart = cursor.offset
                let payloadEnd = payloadStart + Int(length)
                if verifyChecksums {
                    var trailer = SnapshotDecoder(bytes: raw, offset: payloadEnd, now: now, downtimeNanos: 0)
                    let expected = SnapshotHash.hash(UnsafeRawBufferPointer(rebasing: raw[payloadStart..<payloadEnd]))
                    guard (try? trailer.readUInt64()) == expected else {
                        report.drop(.checksumMismatch)
                        guard let next = Self.nextMarker(in: raw, after: recordStart) else { return report.drop(.truncated) }
                        offset = next
                        continue
                    }
                }
                offset = payloadEnd + 8
                var payload = SnapshotDecoder(
                    bytes: raw, offset: payloadStart, end: payloadEnd, now: now, downtimeNanos: downtimeNanos)
                Self.restoreRecord(&payload, header: header, shards: shards, into: &report)
            }
        }
        return report
    }

    /// Decodes one verified record and hands its family to its shard.
    private static func restoreRecord(
        _ payload: inout SnapshotDecoder, header: SnapshotHeader, shards: [AggregationShard],
        into report: inout SnapshotRestoreReport
    ) {
        do throws(SnapshotFailure) {
            let shard = Int(try payload.readUInt32())
            guard shard < Int(header.shardCount) else { throw .invalidValue }
            var expired = 0
            let store = try SeriesStore.decodeSnapshotRecord(from: &payload, setWindowNanos: 1, expired: &expired)
            guard payload.remaining == 0 else { throw .invalidValue }
            report.drop(.expired, count: expired)
            let checkMapping = report.mappingChanged
            let outcome = shards[shard % shards.count].withState { state in
                Result { () throws(SnapshotFailure) in try state.restore(store, checkMapping: checkMapping) }
            }
            switch outcome {
            case .success(let restored):
                report.restoredFamilies += restored > 0 ? 1 : 0
                report.restoredSeries += restored
            case .failure(let reason):
                report.drop(reason, count: reason == .mappingChanged ? store.liveSeriesCount : 1)
            }
        } catch {
            report.drop(error)
        }
    }

    /// The offset of the first record or end marker after `offset`, if any.
    private static func nextMarker(in raw: UnsafeRawBufferPointer, after offset: Int) -> Int? {
        var index = offset + 1
        while index + 4 <= raw.count {
            let word = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt32.self))
            if word == SnapshotHeader.recordMarker || word == SnapshotHeader.endMarker { return index }
            index += 1
        }
        return nil
    }

    /// The end marker: the record count and its checksum; a mismatch means records went missing.
    private static func readEnd(
        _ cursor: inout SnapshotDecoder, raw: UnsafeRawBufferPointer, from start: Int, records: Int, verify: Bool,
        into report: inout SnapshotRestoreReport
    ) {
        guard let count = try? cursor.readUInt32() else { return report.drop(.truncated) }
        let end = cursor.offset
        guard let hash = try? cursor.readUInt64() else { return report.drop(.truncated) }
        if verify && hash != SnapshotHash.hash(UnsafeRawBufferPointer(rebasing: raw[start..<end])) {
            return report.drop(.checksumMismatch)
        }
        if Int(count) > records { report.drop(.truncated, count: Int(count) - records) }
        report.complete = true
    }
}
