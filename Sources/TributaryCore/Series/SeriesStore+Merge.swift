extension SeriesStore {
    /// Adds `other`'s series to this store, for a scrape over several shards. Run on a scrape copy, never on a live
    /// shard; both stores are sorted for exposition first.
    ///
    /// Lines are spread over shards by their StatsD name, so one name's series live in one shard, but a family can
    /// span shards when a mapping gives several names the same metric name. Families join by name and series by
    /// label text; the rare series present in two shards combine by ``SeriesValue/combine(_:otherIsLater:)``
    /// (counters and histograms add, the other kinds take the later-updated value).
    ///
    /// A family whose name another shard took with another type (or different histogram bounds), or that collides
    /// with a histogram's or summary's `_sum`/`_count`/`_bucket` series, is left out, as one shard would have
    /// rejected it.
    mutating func absorb(_ other: SeriesStore) {
        // Merge the two name orders instead of sorting the union again (100 000 families would cost ~1.7 M string
        // comparisons per scrape).
        var other = other
        other.sortForExposition()
        self.sortForExposition()
        let mine = self.sortedFamilies
        self.reserveCapacity(for: other)
        var merged: [Int32] = []
        merged.reserveCapacity(mine.count + other.sortedFamilies.count)
        var i = 0
        for theirID in other.sortedFamilies {
            let theirs = other.families[Int(theirID)]
            while i < mine.count && self.families[Int(mine[i])].name < theirs.name {
                merged.append(mine[i])
                i += 1
            }
            if theirs.series.isEmpty { continue }
            if i < mine.count && self.families[Int(mine[i])].name == theirs.name {
                let familyID = mine[i]
                guard self.canMerge(theirs, into: familyID) else { continue }
                self.indexLabelsIfNeeded(of: familyID)
                for id in theirs.series {
                    if let existing = self.seriesID(family: familyID, labelText: other.series[Int(id)].labelText) {
                        self.combineSeries(existing, with: id, of: other)
                    } else {
                        self.copySeries(id, of: other, into: familyID, indexed: true)
                    }
                }
            } else {
                // A family only `other` has: copied with its series in their sorted order. Its label index is built
                // only if a later shard merges into it (most families live in one shard).
                guard let familyID = self.newFamily(like: theirs) else { continue }
                for id in theirs.series { self.copySeries(id, of: other, into: familyID, indexed: false) }
                self.markUnindexed(familyID)
                merged.append(familyID)
            }
        }
        merged.append(contentsOf: mine[i...])
        self.setSortedOrder(merged)
    }

    /// Whether `family` can join this store's family `id` (same type, and same bounds for histograms).
    private func canMerge(_ family: Family, into id: Int32) -> Bool {
        let mine = self.families[Int(id)]
        guard mine.storage == family.storage else { return false }
        return mine.storage != .histogram || mine.bounds == family.bounds
    }

    /// A new, empty family like `family`; nil when the name collides with a histogram's or summary's reserved
    /// suffixes. Only names a later collision check can look up are indexed by name, so most families cost no
    /// hashing here (same-name families are found through the sorted orders).
    private mutating func newFamily(like family: Family) -> Int32? {
        let reservedSuffix =
            family.name.hasSuffix("_sum") || family.name.hasSuffix("_count") || family.name.hasSuffix("_bucket")
        let checked = family.storage.isObserver || reservedSuffix
        if checked && self.suffixCollision(name: family.name, storage: family.storage) != nil { return nil }
        return self.addFamily(family, indexed: checked)
    }
}
