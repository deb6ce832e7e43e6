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
        for otherFamily in other.families where !otherFamily.series.isEmpty {
            guard let familyID = self.mergeTarget(for: otherFamily) else { continue }
            for otherID in otherFamily.series {
                self.absorb(series: other.series[Int(otherID)], of: other, into: familyID)
            }
        }
    }

    /// The family of this state that `family` merges into, created when new; nil when it cannot merge.
    private mutating func mergeTarget(for family: Family) -> Int32? {
        if let existing = self.familyByName[family.name] {
            let mine = self.families[Int(existing)]
            guard mine.storage == family.storage else { return nil }
            if mine.storage == .histogram && mine.bounds != family.bounds { return nil }
            return existing
        }
        if self.suffixCollision(name: family.name, storage: family.storage) != nil { return nil }
        var copy = family
        copy.series = []
        copy.seriesByLabels = [:]
        copy.sorted = true
        let id = Int32(self.families.count)
        self.families.append(copy)
        self.familyByName[family.name] = id
        self.familiesSorted = false
        return id
    }

    /// Adds one series of `other` to `familyID`: combined with the series of the same labels, or copied.
    private mutating func absorb(series incoming: Series, of other: ShardState, into familyID: Int32) {
        let storage = self.families[Int(familyID)].storage
        let from = Int(incoming.slot)
        guard let existing = self.families[Int(familyID)].seriesByLabels[incoming.labelText] else {
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
            self.families[Int(familyID)].seriesByLabels[incoming.labelText] = id
            self.families[Int(familyID)].series.append(id)
            self.families[Int(familyID)].sorted = false
            return
        }
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
