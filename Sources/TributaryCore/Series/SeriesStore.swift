/// Every family and series of a shard and their values: the one owner of the value columns, the slots and the
/// free lists.
///
/// Families and series are created by the routing slow path (``addFamily(_:)``, ``addSeries(family:labelText:ttlNanos:createdSeconds:now:)``),
/// updated on the hot path (``update(series:slot:storage:_:scaling:now:)``), expired (``expire(now:)``), merged across shards
/// (``absorb(_:)``) and visited by exposition sinks (``visit(_:now:)``). Stored properties are written in this file
/// only; other files read them and call these methods. A value type, owned by ``ShardState`` behind its shard's lock.
package struct SeriesStore: Sendable {
    private(set) var families: [Family] = []
    /// Family ids by name (in merged scrape copies, only the names a suffix-collision check can look up).
    private(set) var familyByName: [String: Int32] = [:]
    private(set) var series: [SeriesRecord] = []
    private var freeSeries: [Int32] = []
    private(set) var columns = ValueColumns()
    /// Family ids sorted by name, valid while `familiesSorted`.
    private(set) var sortedFamilies: [Int32] = []
    private var familiesSorted = true
    /// Families a merge copied without building their label index; only in merged scrape copies.
    private var unindexedFamilies: Set<Int32> = []
    /// The StatsD set window, for new set series.
    var setWindowNanos: UInt64
    /// Goes up by one whenever ``expire(now:)`` removes series: a cached ``Route`` resolved under this epoch needs
    /// no check of its series' generation (the hot path reads one number instead of the series record).
    private(set) var expiryEpoch: UInt32 = 0
    /// Changes whenever a family or series is added or a series expires (a process-wide count, so no two shapes
    /// share a value): while it is unchanged, so are the families and which of them hold series.
    /// ``MergedSeriesView`` keys its merge plan on it.
    private(set) var shapeVersion: UInt64 = 0

    init(setWindowNanos: UInt64) {
        self.setWindowNanos = setWindowNanos
    }

    // MARK: - Reading

    package var liveSeriesCount: Int { self.series.count - self.freeSeries.count }

    func familyID(named name: String) -> Int32? { self.familyByName[name] }

    func seriesID(family: Int32, labelText: String) -> Int32? { self.families[Int(family)].seriesByLabels[labelText] }

    /// The generation of series `id` (see ``SeriesRecord/generation``).
    @inline(__always)
    func generation(of id: Int32) -> UInt32 { self.series[Int(id)].generation }

    /// Series `id`'s slot in its kind's value column and that kind (fixed while the series lives).
    func placement(of id: Int32) -> (slot: Int32, storage: StorageKind) {
        (self.series[Int(id)].slot, self.series[Int(id)].storage)
    }

    /// The storage kind of a series' family.
    func storage(ofSeries id: Int32) -> StorageKind { self.families[Int(self.series[Int(id)].family)].storage }

    /// Number of live series per storage kind.
    package var seriesCountByKind: [StorageKind: Int] {
        var counts = [Int](repeating: 0, count: StorageKind.allCases.count)
        for index in self.families.indices {
            counts[self.families[index].storage.rawValue] += self.families[index].series.count
        }
        var result: [StorageKind: Int] = [:]
        for kind in StorageKind.allCases where counts[kind.rawValue] > 0 { result[kind] = counts[kind.rawValue] }
        return result
    }

    /// The family a new name would collide with through the reserved suffixes (`_sum`, `_count`, `_bucket` of a
    /// summary or histogram), if any.
    func suffixCollision(name: String, storage: StorageKind) -> Int32? {
        let observerSuffixes = ["_sum", "_count", "_bucket"]
        if storage.isObserver {
            for suffix in observerSuffixes {
                if suffix == "_bucket" && storage == .summary { continue }
                if let other = self.familyByName[name + suffix] { return other }
            }
        }
        for suffix in observerSuffixes where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if let other = self.familyByName[base] {
                let kind = self.families[Int(other)].storage
                if kind == .histogram || (kind == .summary && suffix != "_bucket") { return other }
            }
        }
        return nil
    }

    // MARK: - Creating (routing slow path)

    /// Adds a family (no series yet); `indexed` false leaves its name out of ``familyByName`` (merged copies).
    mutating func addFamily(_ family: Family, indexed: Bool = true) -> Int32 {
        var family = family
        family.series = []
        family.seriesByLabels = [:]
        family.sorted = true
        let id = Int32(self.families.count)
        self.shapeVersion = Self.nextShapeVersion()
        self.families.append(family)
        if indexed { self.familyByName[family.name] = id }
        self.familiesSorted = false
        return id
    }

    /// Records the per-metric budget the routing slow path last applied to `family` (for reports only).
    mutating func setRuleSeriesBudget(_ budget: Int?, family familyID: Int32) {
        self.families[Int(familyID)].ruleSeriesBudget = budget
    }

    /// Adds a series with a fresh value to `family`.
    mutating func addSeries(
        family familyID: Int32, labelText: String, ttlNanos: UInt64, createdSeconds: Double, now: UInt64
    ) -> Int32 {
        let slot = self.allocateSlot(family: familyID, now: now)
        let record = SeriesRecord(
            family: familyID, labelText: labelText, slot: slot, lastUpdate: now, createdSeconds: createdSeconds,
            ttlNanos: ttlNanos, alive: true)
        return self.insert(record, into: familyID, indexed: true, keepsOrder: false)
    }

    /// Adds a series of a snapshot record to `family`, its value decoded by the family's kind (the restore path:
    /// times already moved to this process's clock by `decoder`).
    mutating func addRestoredSeries(
        family familyID: Int32, labelText: String, ttlNanos: UInt64, createdSeconds: Double, lastUpdate: UInt64,
        decoder: inout SnapshotDecoder
    ) throws(SnapshotFailure) -> Int32 {
        let slot = try self.decodeSlot(family: familyID, decoder: &decoder).get()
        let record = SeriesRecord(
            family: familyID, labelText: labelText, slot: slot, lastUpdate: lastUpdate, createdSeconds: createdSeconds,
            ttlNanos: ttlNanos, alive: true)
        return self.insert(record, into: familyID, indexed: true, keepsOrder: false)
    }

    /// A fresh value slot for a new series of `family`. Its own function so that the family copy the value's
    /// initialiser reads is released before ``insert(_:into:indexed:keepsOrder:)`` writes the family's label index and series
    /// list: a copy still alive there made every new series copy both (quadratic churn).
    private mutating func allocateSlot(family familyID: Int32, now: UInt64) -> Int32 {
        var allocate = AllocateSlot(family: self.families[Int(familyID)], setWindowNanos: self.setWindowNanos, now: now)
        return self.families[Int(familyID)].storage.dispatch(&self.columns, &allocate)
    }

    private mutating func decodeSlot(
        family familyID: Int32, decoder: inout SnapshotDecoder
    ) -> Result<Int32, SnapshotFailure> {
        let family = self.families[Int(familyID)]
        return withUnsafeMutablePointer(to: &decoder) { decoder in
            var decode = DecodeSlot(decoder: decoder, family: family)
            return family.storage.dispatch(&self.columns, &decode)
        }
    }

    /// Adds `record` to `familyID`; `keepsOrder` when it is known to sort after the family's series (merge copies
    /// series in sorted order, so the family need not be sorted again).
    private mutating func insert(_ record: SeriesRecord, into familyID: Int32, indexed: Bool, keepsOrder: Bool) -> Int32 {
        let id: Int32
        var record = record
        self.shapeVersion = Self.nextShapeVersion()
        record.storage = self.families[Int(familyID)].storage
        if let free = self.freeSeries.popLast() {
            id = free
            record.generation = self.series[Int(id)].generation
            self.series[Int(id)] = record
        } else {
            id = Int32(self.series.count)
            self.series.append(record)
        }
        if indexed { self.families[Int(familyID)].seriesByLabels[record.labelText] = id }
        self.families[Int(familyID)].series.append(id)
        if !keepsOrder { self.families[Int(familyID)].sorted = false }
        return id
    }

    // MARK: - Hot path

    /// Applies one observation to series `id`, whose slot and storage kind the caller knows (a cached ``Route``
    /// does): the series record is only written (its last update), not read first. Does not allocate (but for a
    /// set's new member or a summary's window).
    @inline(__always)
    mutating func update(
        series id: Int32, slot: Int32, storage: StorageKind, _ observation: Observation, scaling: Scaling, now: UInt64
    ) {
        switch storage {
        case .counter:
            self.columns.counters[slot].value += observation.increment
        case .gauge:
            if observation.relative {
                self.columns.gauges[slot].value += observation.value
            } else {
                self.columns.gauges[slot].value = observation.value
            }
        case .set:
            self.columns.sets[slot].add(memberHash: observation.memberHash, now: now)
        case .summary:
            self.columns.summaries[slot].observe(scaling.apply(observation.value), weight: observation.weight, now: now)
        case .histogram:
            self.columns.histograms[slot].observe(scaling.apply(observation.value), weight: observation.weight)
        }
        self.series[Int(id)].lastUpdate = now
    }

    /// Keeps `exemplar` as the last one of a counter series or of the histogram bucket its value falls in; other
    /// kinds keep none.
    mutating func attach(_ exemplar: Exemplar, series id: Int32) {
        let slot = self.series[Int(id)].slot
        let family = Int(self.series[Int(id)].family)
        if self.families[family].storage == .counter {
            self.columns.counters[slot].exemplar = exemplar
        } else if self.families[family].storage == .histogram {
            self.columns.histograms[slot].attach(exemplar)
        }
    }

    // MARK: - Expiry

    /// Removes series whose TTL has passed without a sample and frees their slots; returns how many expired.
    ///
    /// One pass over the series, then one pass over each family that lost series (a churn run expires most of a
    /// family at once: removing ids one by one from its list would be quadratic).
    mutating func expire(now: UInt64) -> Int {
        var expired = 0
        var touched: [Int32] = []
        for id in self.series.indices where self.series[id].alive && self.series[id].ttlNanos > 0 {
            let record = self.series[id]
            guard now >= record.lastUpdate && now - record.lastUpdate >= record.ttlNanos else { continue }
            let familyIndex = Int(record.family)
            self.families[familyIndex].seriesByLabels[record.labelText] = nil
            if touched.last != record.family { touched.append(record.family) }
            var release = ReleaseSlot(slot: record.slot)
            self.families[familyIndex].storage.dispatch(&self.columns, &release)
            self.series[id].alive = false
            self.series[id].generation &+= 1
            self.series[id].labelText = ""
            self.freeSeries.append(Int32(id))
            expired += 1
        }
        guard expired > 0 else { return 0 }
        self.expiryEpoch &+= 1
        self.shapeVersion = Self.nextShapeVersion()
        let series = self.series
        var seen = Set<Int32>()
        for family in touched where seen.insert(family).inserted {
            // Order is kept, so a sorted family stays sorted.
            self.families[Int(family)].series.removeAll { !series[Int($0)].alive }
        }
        return expired
    }

    // MARK: - Exposition

    /// Sorts families by name and each family's series by label text, if anything changed since the last call.
    mutating func sortForExposition() {
        if !self.familiesSorted {
            self.sortedFamilies = self.families.indices.map { Int32($0) }.sorted {
                self.families[Int($0)].name < self.families[Int($1)].name
            }
            self.familiesSorted = true
        }
        for familyID in self.sortedFamilies where !self.families[Int(familyID)].sorted {
            let series = self.series
            self.families[Int(familyID)].series.sort { series[Int($0)].labelText < series[Int($1)].labelText }
            self.families[Int(familyID)].sorted = true
        }
    }

    /// Passes every family with live series, and each of its series, to `sink`: families sorted by name, series
    /// by label text. Mutating because summaries and sets roll their windows and sort orders are cached.
    package mutating func visit(_ sink: inout some ExpositionSink, now: UInt64) {
        self.sortForExposition()
        var scratch = ExpositionScratch()
        let series = self.series
        withUnsafeMutablePointer(to: &sink) { sink in
            withUnsafeMutablePointer(to: &scratch) { scratch in
                for familyID in self.sortedFamilies {
                    self.visit(family: familyID, sink, scratch: scratch, series: series, now: now)
                }
            }
        }
    }

    /// Passes family `familyID` and its series (in their current order) to `sink`; nothing when it has none. The
    /// step of ``visit(_:now:)``, also taken by ``MergedSeriesView`` over several shards' stores. `series` is this
    /// store's `series`, read once by the caller.
    @inline(__always)
    mutating func visit<Sink: ExpositionSink>(
        family familyID: Int32, _ sink: UnsafeMutablePointer<Sink>, scratch: UnsafeMutablePointer<ExpositionScratch>,
        series: [SeriesRecord], now: UInt64
    ) {
        guard !self.families[Int(familyID)].series.isEmpty else { return }
        let family = self.families[Int(familyID)]
        sink.pointee.beginFamily(family.header)
        var emit = EmitFamily(sink: sink, scratch: scratch, family: family, series: series, now: now)
        family.storage.dispatch(&self.columns, &emit)
    }

    // MARK: - Merge primitives (the algorithm is in SeriesStore+Merge.swift)

    /// Replaces the family order with `order` (already sorted by name).
    mutating func setSortedOrder(_ order: [Int32]) {
        self.sortedFamilies = order
        self.familiesSorted = true
    }

    mutating func reserveCapacity(for other: SeriesStore) {
        self.families.reserveCapacity(self.families.count + other.families.count)
        self.series.reserveCapacity(self.series.count + other.series.count)
    }

    /// Copies `other`'s series `id` (its value included) into `familyID`. Unindexed copies go to a family only `other`
    /// has, in `other`'s sorted order; indexed ones join a family both have (sorted again before the next write).
    mutating func copySeries(_ id: Int32, of other: SeriesStore, into familyID: Int32, indexed: Bool) {
        var record = other.series[Int(id)]
        var copy = CopySlot(other: other.columns, slot: record.slot)
        record.slot = self.families[Int(familyID)].storage.dispatch(&self.columns, &copy)
        record.family = familyID
        _ = self.insert(record, into: familyID, indexed: indexed, keepsOrder: !indexed)
    }

    /// Combines `other`'s series `id` with this store's series `existing` (same family and labels).
    mutating func combineSeries(_ existing: Int32, with id: Int32, of other: SeriesStore) {
        let mine = self.series[Int(existing)]
        let theirs = other.series[Int(id)]
        var combine = CombineSlot(
            other: other.columns, from: theirs.slot, into: mine.slot, otherIsLater: theirs.lastUpdate > mine.lastUpdate)
        self.families[Int(mine.family)].storage.dispatch(&self.columns, &combine)
        self.series[Int(existing)].lastUpdate = max(mine.lastUpdate, theirs.lastUpdate)
        self.series[Int(existing)].createdSeconds = min(mine.createdSeconds, theirs.createdSeconds)
        self.families[Int(mine.family)].sorted = false
    }

    /// Builds the label index of a family copied unindexed, before another shard's series join it.
    mutating func indexLabelsIfNeeded(of familyID: Int32) {
        guard self.unindexedFamilies.remove(familyID) != nil else { return }
        var index: [String: Int32] = [:]
        index.reserveCapacity(self.families[Int(familyID)].series.count)
        for id in self.families[Int(familyID)].series { index[self.series[Int(id)].labelText] = id }
        self.families[Int(familyID)].seriesByLabels = index
    }

    mutating func markUnindexed(_ familyID: Int32) { self.unindexedFamilies.insert(familyID) }
}
