import Synchronization

/// Several shards' stores seen as one, for a scrape over `--statsd.ingest-threads` shards: the same families, series
/// and order as absorbing every store into the first (``SeriesStore/absorb(_:)``) and visiting that, without copying
/// the shards into one store.
///
/// Lines are spread over shards by name, so nearly every family lives in one shard: it is written straight from that
/// shard's scrape copy. The init walks the shards' sorted family names once (the decisions ``SeriesStore/absorb(_:)``
/// takes: join by name, leave out type conflicts and reserved-suffix collisions) and merges only the families several
/// shards hold, into one small extra store. The walk's outcome (a ``Plan``) is kept for the next scrape and taken
/// again while no store added a family or series or expired one (``SeriesStore/shapeVersion``): then a scrape costs
/// what one shard's would, plus merging the shared families' values.
///
/// ```swift
/// var view = MergedSeriesView(shards.all.map { $0.scrapeCopy().store })
/// view.visit(&writer, now: now)
/// ```
package struct MergedSeriesView: Sendable {
    /// The shards' stores, then (with several) the store of families several shards hold, merged.
    private var stores: [SeriesStore]
    /// Every family to write, sorted by name; empty with one store (its own order is used).
    private var order: [Member] = []
    /// The walk's outcome, for the next view over the same shards; nil with one store.
    package private(set) var plan: Plan?

    /// Which family of which store is written, and which families of later stores join it: valid for stores whose
    /// shape versions are `versions`.
    package struct Plan: Sendable {
        fileprivate var versions: [UInt64]
        fileprivate var entries: [Entry]
    }

    /// A family of one of `stores`.
    fileprivate struct Member: Sendable {
        var store: Int32
        var family: Int32
    }

    /// A family of the merged view while it is built: the first store's that holds it, then any that join it.
    fileprivate struct Entry: Sendable {
        var first: Member
        var joined: [Member] = []
    }

    /// - Parameters:
    ///   - stores: the shards' scrape copies, in shard order (at least one).
    ///   - plan: the ``plan`` of an earlier view over the same shards, taken when still valid.
    package init(_ stores: [SeriesStore], reusing plan: Plan? = nil) {
        precondition(!stores.isEmpty, "a view needs a store")
        self.stores = stores
        guard self.stores.count > 1 else { return }
        for index in self.stores.indices { self.stores[index].sortForExposition() }
        let versions = self.stores.map(\.shapeVersion)
        var entries: [Entry]
        if let plan, plan.versions == versions {
            entries = plan.entries
        } else {
            entries = self.stores[0].sortedFamilies.map { Entry(first: Member(store: 0, family: $0)) }
            /// Checked names (observers, reserved suffixes) a later shard added, for collision checks.
            var added: [String: StorageKind] = [:]
            for index in 1..<self.stores.count { self.absorb(store: index, into: &entries, added: &added) }
        }
        self.plan = Plan(versions: versions, entries: entries)
        self.order = self.materialize(entries)
    }

    /// Series per storage kind, as the merged store would count them.
    package var seriesCountByKind: [StorageKind: Int] {
        if self.order.isEmpty { return self.stores[0].seriesCountByKind }
        var counts: [StorageKind: Int] = [:]
        for member in self.order {
            let family = self.stores[Int(member.store)].families[Int(member.family)]
            if !family.series.isEmpty { counts[family.storage, default: 0] += family.series.count }
        }
        return counts
    }

    /// Passes every family with live series and each of its series to `sink`, as ``SeriesStore/visit(_:now:)``
    /// does for one store.
    package mutating func visit(_ sink: inout some ExpositionSink, now: UInt64) {
        if self.order.isEmpty {
            self.stores[0].visit(&sink, now: now)
            return
        }
        var scratch = ExpositionScratch()
        let series = self.stores.map(\.series)
        let order = self.order
        withUnsafeMutablePointer(to: &sink) { sink in
            withUnsafeMutablePointer(to: &scratch) { scratch in
                self.stores.withUnsafeMutableBufferPointer { stores in
                    for member in order {
                        let store = Int(member.store)
                        stores[store].visit(
                            family: member.family, sink, scratch: scratch, series: series[store], now: now)
                    }
                }
            }
        }
    }

    // MARK: - Building

    /// Adds store `index` to `entries`: ``SeriesStore/absorb(_:)``'s walk over the two name orders, on family
    /// references.
    private func absorb(store index: Int, into entries: inout [Entry], added: inout [String: StorageKind]) {
        let other = self.stores[index]
        var merged: [Entry] = []
        merged.reserveCapacity(entries.count + other.sortedFamilies.count)
        var i = 0
        for theirID in other.sortedFamilies {
            let name = other.families[Int(theirID)].name
            while i < entries.count && self.name(entries[i].first) < name {
                merged.append(entries[i])
                i += 1
            }
            if other.families[Int(theirID)].series.isEmpty { continue }
            let storage = other.families[Int(theirID)].storage
            if i < entries.count && self.name(entries[i].first) == name {
                let mine = self.family(entries[i].first)
                let canMerge =
                    mine.storage == storage
                    && (storage != .histogram || mine.bounds == other.families[Int(theirID)].bounds)
                if canMerge { entries[i].joined.append(Member(store: Int32(index), family: theirID)) }
            } else {
                let reservedSuffix = name.hasSuffix("_sum") || name.hasSuffix("_count") || name.hasSuffix("_bucket")
                if storage.isObserver || reservedSuffix {
                    if self.collides(name, storage: storage, added: added) { continue }
                    added[name] = storage
                }
                merged.append(Entry(first: Member(store: Int32(index), family: theirID)))
            }
        }
        merged.append(contentsOf: entries[i...])
        entries = merged
    }

    /// Whether `name` collides through a histogram's or summary's reserved suffixes with a family of the first
    /// store or one a later store added (``SeriesStore/suffixCollision(name:storage:)`` over the merged names).
    private func collides(_ name: String, storage: StorageKind, added: [String: StorageKind]) -> Bool {
        let first = self.stores[0]
        func kind(_ name: String) -> StorageKind? {
            if let id = first.familyID(named: name) { return first.families[Int(id)].storage }
            return added[name]
        }
        if storage.isObserver {
            for suffix in ["_sum", "_count", "_bucket"] where !(suffix == "_bucket" && storage == .summary) {
                if kind(name + suffix) != nil { return true }
            }
        }
        for suffix in ["_sum", "_count", "_bucket"] where name.hasSuffix(suffix) {
            guard let base = kind(String(name.dropLast(suffix.count))) else { continue }
            if base == .histogram || (base == .summary && suffix != "_bucket") { return true }
        }
        return false
    }

    /// The write order: families of one store as they are, families several stores hold merged into a new last
    /// store (series combined by label text in store order, as ``SeriesStore/absorb(_:)`` does).
    private mutating func materialize(_ entries: [Entry]) -> [Member] {
        var shared = SeriesStore(setWindowNanos: self.stores[0].setWindowNanos)
        let sharedIndex = Int32(self.stores.count)
        var order: [Member] = []
        order.reserveCapacity(entries.count)
        for entry in entries {
            guard !entry.joined.isEmpty else {
                order.append(entry.first)
                continue
            }
            let familyID = shared.addFamily(self.family(entry.first), indexed: false)
            for member in [entry.first] + entry.joined {
                let store = self.stores[Int(member.store)]
                for id in store.families[Int(member.family)].series {
                    if let existing = shared.seriesID(family: familyID, labelText: store.series[Int(id)].labelText) {
                        shared.combineSeries(existing, with: id, of: store)
                    } else {
                        shared.copySeries(id, of: store, into: familyID, indexed: true)
                    }
                }
            }
            order.append(Member(store: sharedIndex, family: familyID))
        }
        shared.sortForExposition()
        self.stores.append(shared)
        return order
    }

    private func family(_ member: Member) -> Family { self.stores[Int(member.store)].families[Int(member.family)] }

    private func name(_ member: Member) -> String { self.stores[Int(member.store)].families[Int(member.family)].name }
}

extension SeriesStore {
    private static let shapeVersions = Atomic<UInt64>(0)

    /// A ``shapeVersion`` no store had before.
    static func nextShapeVersion() -> UInt64 { Self.shapeVersions.wrappingAdd(1, ordering: .relaxed).newValue }
}
