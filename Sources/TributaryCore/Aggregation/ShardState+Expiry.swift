extension ShardState {
    /// Removes series whose TTL has passed without a sample and releases their storage.
    ///
    /// Returns how many series expired. The route cache is cleared when any did, since routes may
    /// point at removed series; they are re-resolved on the next line.
    @discardableResult
    package mutating func expire(now: UInt64) -> Int {
        var expired = 0
        for id in self.series.indices where self.series[id].alive && self.series[id].ttlNanos > 0 {
            let record = self.series[id]
            guard now >= record.lastUpdate && now - record.lastUpdate >= record.ttlNanos else { continue }
            let familyIndex = Int(record.family)
            self.families[familyIndex].seriesByLabels[record.labelText] = nil
            self.families[familyIndex].series.removeAll { $0 == Int32(id) }
            let storage = self.families[familyIndex].storage
            self.freeSlots[storage.rawValue].append(record.slot)
            self.releaseSlot(storage: storage, slot: Int(record.slot))
            self.series[id].alive = false
            self.series[id].labelText = ""
            self.freeSeries.append(Int32(id))
            expired += 1
        }
        if expired > 0 {
            self.counts.expiredSeries += UInt64(expired)
            self.clearRoutes()
        }
        return expired
    }

    /// Drops the memory a slot holds (summary windows, set members) until it is reused.
    private mutating func releaseSlot(storage: StorageKind, slot: Int) {
        switch storage {
        case .summary: self.summaries[slot] = SummaryState(options: .statsdExporterDefault, now: 0)
        case .set: self.sets[slot] = SetState(windowNanos: 1, now: 0)
        case .histogram: self.histograms[slot] = HistogramState(bucketCount: 0)
        case .counter, .gauge: break
        }
    }
}
