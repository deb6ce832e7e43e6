extension SeriesStore {
    /// Writes one snapshot record per family with live series (see ``SnapshotHeader`` for the layout) and returns
    /// how many. Reads only: run on a scrape copy, never under a shard's lock.
    func encodeSnapshotRecords(shard: UInt32, into encoder: inout SnapshotEncoder) -> Int {
        var columns = self.columns  // copy-on-write: nothing below writes, so nothing is copied
        var records = 0
        for family in self.families where !family.series.isEmpty {
            encoder.write(SnapshotHeader.recordMarker)
            let lengthOffset = encoder.bytes.count
            encoder.write(UInt32(0))
            let payloadStart = encoder.bytes.count
            encoder.write(shard)
            family.encode(into: &encoder)
            encoder.write(count: family.series.count)
            withUnsafeMutablePointer(to: &encoder) { encoder in
                var encode = EncodeSeries(encoder: encoder, family: family, series: self.series)
                family.storage.dispatch(&columns, &encode)
            }
            let payloadEnd = encoder.bytes.count
            encoder.patch(UInt32(payloadEnd - payloadStart), at: lengthOffset)
            encoder.write(SnapshotHash.hash(encoder.bytes, from: payloadStart, to: payloadEnd))
            records += 1
        }
        return records
    }

    /// Decodes one record's payload after its shard number: a store holding just that family and those of its
    /// series whose TTL has not passed (`expired` counts the others).
    static func decodeSnapshotRecord(
        from decoder: inout SnapshotDecoder, setWindowNanos: UInt64, expired: inout Int
    ) throws(SnapshotFailure) -> SeriesStore {
        var store = SeriesStore(setWindowNanos: setWindowNanos)
        let family = store.addFamily(try Family.decode(from: &decoder))
        let count = try decoder.readCount(elementBytes: 28)
        for _ in 0..<count {
            let labelText = try decoder.readString()
            let createdSeconds = try decoder.readDouble()
            let ttlNanos = try decoder.readUInt64()
            let lastUpdate = try decoder.readDeadline()
            if store.seriesID(family: family, labelText: labelText) != nil { throw .invalidValue }  // a label set twice
            _ = try store.addRestoredSeries(
                family: family, labelText: labelText, ttlNanos: ttlNanos, createdSeconds: createdSeconds,
                lastUpdate: lastUpdate, decoder: &decoder)
        }
        expired += store.expire(now: decoder.now)
        return store
    }
}

/// Writes a family's series: label text, `_created`, TTL, the last update relative to the snapshot time, value.
private struct EncodeSeries: ColumnVisitor {
    let encoder: UnsafeMutablePointer<SnapshotEncoder>
    let family: Family
    let series: [SeriesRecord]

    func visit<Value: SeriesValue>(_ column: inout ValueColumn<Value>) {
        for id in self.family.series {
            let record = self.series[Int(id)]
            self.encoder.pointee.write(record.labelText)
            self.encoder.pointee.write(record.createdSeconds)
            self.encoder.pointee.write(record.ttlNanos)
            self.encoder.pointee.write(deadline: record.lastUpdate)
            column[record.slot].encode(into: &self.encoder.pointee)
        }
    }
}
