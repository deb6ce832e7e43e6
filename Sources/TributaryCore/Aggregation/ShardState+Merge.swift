extension ShardState {
    /// Adds `other`'s series and counts to this state, for a scrape over several shards
    /// (``AggregationShards/scrapeCopy()``). Run on a scrape copy, never on a live shard.
    ///
    /// Lines are spread over shards by their StatsD name (``StatsDLinePartition``), so one name's series always
    /// live in one shard, but a family can span shards when a mapping gives several names the same metric name.
    /// Families join by name and series by label text. The rare series present in two shards (two StatsD names
    /// mapped onto the same name and labels, or one series fed over two listeners) combine exactly for counters
    /// and classic histograms (values add) and gauges (the later update wins); for sets and summaries the
    /// later-updated shard's value wins, as their members and windows cannot be added.
    ///
    /// A family whose name another shard took with another type — or that collides with a histogram's or
    /// summary's `_sum`/`_count`/`_bucket` series — is left out, as a single shard would have rejected it.
    package mutating func absorb(_ other: ShardState) {
        self.counts.add(other.counts)
        self.unmappedNames.absorb(other.unmappedNames)
        // Both sides are scrape copies, already sorted: merge their family orders by name instead of sorting the
        // union again (100 000 families would cost ~1.7 M string comparisons per scrape).
        var other = other
        other.sortForExposition()
        self.sortForExposition()
        let mine = self.sortedFamilies
        let theirs = other.sortedFamilies
        // One copy (the arrays and the name index are shared with the live shard until now) at the final size,
        // instead of a copy and then repeated growth.
        self.families.reserveCapacity(self.families.count + theirs.count)
        self.series.reserveCapacity(self.series.count + other.series.count)
        self.counterValues.reserveCapacity(self.counterValues.count + other.counterValues.count)
        self.counterExemplars.reserveCapacity(self.counterExemplars.count + other.counterExemplars.count)
        self.gaugeValues.reserveCapacity(self.gaugeValues.count + other.gaugeValues.count)
        self.histograms.reserveCapacity(self.histograms.count + other.histograms.count)
        var merged: [Int32] = []
        merged.reserveCapacity(mine.count + theirs.count)
        var i = 0
        for theirID in theirs {
            let otherFamily = other.families[Int(theirID)]
            while i < mine.count && self.families[Int(mine[i])].name < otherFamily.name {
                merged.append(mine[i])
                i += 1
            }
            if otherFamily.series.isEmpty { continue }
            if i < mine.count && self.families[Int(mine[i])].name == otherFamily.name {
                let familyID = mine[i]
                guard self.canMerge(otherFamily, into: familyID) else { continue }
                if self.mergeUnindexedFamilies.remove(familyID) != nil { self.indexSeries(of: familyID) }
                for otherID in otherFamily.series {
                    self.absorb(series: other.series[Int(otherID)], of: other, into: familyID)
                }
                self.families[Int(familyID)].sorted = false  // two sorted runs of series: sorted again on write
            } else {
                // A family only `other` has: copied with its series in their (sorted) order. Its label index is
                // built only if a later shard merges into it (most families live in one shard).
                guard let familyID = self.newFamily(like: otherFamily) else { continue }
                for otherID in otherFamily.series {
                    self.append(series: other.series[Int(otherID)], of: other, to: familyID, indexed: false)
                }
                self.mergeUnindexedFamilies.insert(familyID)
                merged.append(familyID)
            }
        }
        merged.append(contentsOf: mine[i...])
        self.sortedFamilies = merged
        self.familiesSorted = true
    }

    /// Whether `family` can join this state's family `id` (same type, and same bounds for histograms).
    private func canMerge(_ family: Family, into id: Int32) -> Bool {
        let mine = self.families[Int(id)]
        guard mine.storage == family.storage else { return false }
        return mine.storage != .histogram || mine.bounds == family.bounds
    }

    /// A new, empty family with `family`'s name and options (series then added in sorted order); nil when the name
    /// collides with a histogram's or summary's `_sum`/`_count`/`_bucket` series.
    ///
    /// Only names a later collision check can look up go into `familyByName` — histograms and summaries, and names
    /// ending in `_sum`, `_count` or `_bucket` — so most families cost no hashing here. (Same-name families are found
    /// through the sorted orders; a merged copy is only written, never routed into.)
    private mutating func newFamily(like family: Family) -> Int32? {
        let observer = family.storage == .histogram || family.storage == .summary
        let reservedSuffix =
            family.name.hasSuffix("_sum") || family.name.hasSuffix("_count") || family.name.hasSuffix("_bucket")
        if observer || reservedSuffix {
            if self.suffixCollision(name: family.name, storage: family.storage) != nil { return nil }
        }
        var copy = family
        copy.series = []
        copy.seriesByLabels = [:]
        copy.sorted = true
        let id = Int32(self.families.count)
        self.families.append(copy)
        if observer || reservedSuffix { self.familyByName[family.name] = id }
        return id
    }

    /// Rebuilds the label index of a family whose series were appended unindexed.
    private mutating func indexSeries(of familyID: Int32) {
        var index: [String: Int32] = [:]
        index.reserveCapacity(self.families[Int(familyID)].series.count)
        for id in self.families[Int(familyID)].series { index[self.series[Int(id)].labelText] = id }
        self.families[Int(familyID)].seriesByLabels = index
    }

    /// Adds one series of `other` to `familyID`: combined with the series of the same labels, or copied.
    private mutating func absorb(series incoming: Series, of other: ShardState, into familyID: Int32) {
        let storage = self.families[Int(familyID)].storage
        let from = Int(incoming.slot)
        guard let existing = self.families[Int(familyID)].seriesByLabels[incoming.labelText] else {
            self.append(series: incoming, of: other, to: familyID, indexed: true)
            return
        }
        self.combine(series: existing, with: incoming, of: other, storage: storage, from: from)
    }

    /// Copies a series of `other` (value state included) into `familyID`.
    private mutating func append(series incoming: Series, of other: ShardState, to familyID: Int32, indexed: Bool) {
        let storage = self.families[Int(familyID)].storage
        let from = Int(incoming.slot)
        do {
            let slot: Int32
            switch storage {
            case .counter:
                self.counterValues.append(other.counterValues[from])
                self.counterExemplars.append(other.counterExemplars[from])
                slot = Int32(self.counterValues.count - 1)
            case .gauge:
                self.gaugeValues.append(other.gaugeValues[from])
                slot = Int32(self.gaugeValues.count - 1)
            case .set:
                self.sets.append(other.sets[from])
                slot = Int32(self.sets.count - 1)
            case .summary:
                self.summaries.append(other.summaries[from])
                slot = Int32(self.summaries.count - 1)
            case .histogram:
                self.histograms.append(other.histograms[from])
                slot = Int32(self.histograms.count - 1)
            }
            var record = incoming
            record.family = familyID
            record.slot = slot
            let id = Int32(self.series.count)
            self.series.append(record)
            if indexed { self.families[Int(familyID)].seriesByLabels[incoming.labelText] = id }
            self.families[Int(familyID)].series.append(id)
        }
    }

    /// Combines a series of `other` with this state's series `existing` of the same family and labels.
    private mutating func combine(series existing: Int32, with incoming: Series, of other: ShardState, storage: StorageKind, from: Int) {
        let mine = self.series[Int(existing)]
        let slot = Int(mine.slot)
        let incomingIsLater = incoming.lastUpdate > mine.lastUpdate
        switch storage {
        case .counter:
            self.counterValues[slot] += other.counterValues[from]
            if incomingIsLater || self.counterExemplars[slot] == nil {
                self.counterExemplars[slot] = other.counterExemplars[from] ?? self.counterExemplars[slot]
            }
        case .gauge:
            if incomingIsLater { self.gaugeValues[slot] = other.gaugeValues[from] }
        case .set:
            if incomingIsLater { self.sets[slot] = other.sets[from] }
        case .summary:
            if incomingIsLater { self.summaries[slot] = other.summaries[from] }
        case .histogram:
            self.histograms[slot].add(other.histograms[from])
        }
        self.series[Int(existing)].lastUpdate = max(mine.lastUpdate, incoming.lastUpdate)
        self.series[Int(existing)].createdSeconds = min(mine.createdSeconds, incoming.createdSeconds)
    }
}

extension IngestCounts {
    /// Adds `other`'s counts (conflict and limited names union).
    package mutating func add(_ other: IngestCounts) {
        self.lines &+= other.lines
        self.samples &+= other.samples
        for index in self.sampleErrors.indices { self.sampleErrors[index] &+= other.sampleErrors[index] }
        self.linesWithTags &+= other.linesWithTags
        self.tagErrors &+= other.tagErrors
        self.counterEvents &+= other.counterEvents
        self.gaugeEvents &+= other.gaugeEvents
        self.observerEvents &+= other.observerEvents
        self.unmapped &+= other.unmapped
        self.dropped &+= other.dropped
        self.dogStatsDEvents &+= other.dogStatsDEvents
        self.dogStatsDServiceChecks &+= other.dogStatsDServiceChecks
        for (name, count) in other.conflicts { self.conflicts[name, default: 0] &+= count }
        self.expiredSeries &+= other.expiredSeries
        for (name, count) in other.seriesLimited { self.seriesLimited[name, default: 0] &+= count }
        self.jsonLines &+= other.jsonLines
        self.jsonSamples &+= other.jsonSamples
        for index in self.jsonErrors.indices { self.jsonErrors[index] &+= other.jsonErrors[index] }
    }
}
