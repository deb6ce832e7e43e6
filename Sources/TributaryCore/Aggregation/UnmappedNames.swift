/// A bounded record of names (StatsD or JSON feed) that matched no mapping rule: the first `limit` distinct
/// (name, type, protocol) triples a shard saw, in first-seen order, so a user can see what still needs a rule (`GET /api/v1/unmapped`).
///
/// Entries are added only on the routing slow path (once per new line shape); the route remembers the entry's
/// index, so counting a sample is one array increment for unmapped lines and nothing for mapped ones. Owned by
/// ``ShardState`` under the shard's lock.
package struct UnmappedNames: Sendable {
    package struct Entry: Sendable, Equatable {
        /// The name as sent, tags removed.
        package var name: String
        package var type: StatsDType
        /// The protocol it came in by.
        package var source: IngestProtocol
        /// The escaped Prometheus name it is exported under.
        package var prometheusName: String
        /// Monotonic time (ns) of the first line shape with this name and type.
        package var firstSeen: UInt64
        /// Samples received under this name and type since it was recorded.
        package var samples: UInt64 = 0
    }

    private struct Key: Hashable {
        var name: String
        var type: StatsDType
        var source: IngestProtocol
    }

    /// The most entries kept; 0 keeps none.
    package let limit: Int
    /// Entries in first-seen order.
    package private(set) var entries: [Entry] = []
    /// Unmapped line shapes seen while the list was full and their name was not in it (cumulative). A name sent
    /// with several tag sets counts once per tag set; routes recomputed after a reload or expiry count again.
    package private(set) var overflow: UInt64 = 0
    private var known: [Key: Int32] = [:]

    package init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Records an unmapped name unless already known and returns its entry index; counts it as overflow (and
    /// returns -1) when the list is full.
    @discardableResult
    package mutating func record(
        name: String, type: StatsDType, from source: IngestProtocol = .statsd, prometheusName: String, now: UInt64
    ) -> Int32 {
        let key = Key(name: name, type: type, source: source)
        if let index = self.known[key] { return index }
        guard self.entries.count < self.limit else {
            self.overflow &+= 1
            return -1
        }
        let index = Int32(self.entries.count)
        self.known[key] = index
        self.entries.append(
            Entry(name: name, type: type, source: source, prometheusName: prometheusName, firstSeen: now))
        return index
    }

    /// Counts one sample for the entry `record` returned.
    @inline(__always)
    package mutating func countSample(entry: Int32) {
        self.entries[Int(entry)].samples &+= 1
    }

    /// Drops the entries `isMapped` says a rule now matches (after a reload), making room for new ones.
    /// Entry indices change, so callers must drop routes that remember them first (a reload clears every route).
    package mutating func removeAll(where isMapped: (Entry) -> Bool) {
        self.entries.removeAll(where: isMapped)
        self.known = [:]
        for (index, entry) in self.entries.enumerated() {
            self.known[Key(name: entry.name, type: entry.type, source: entry.source)] = Int32(index)
        }
    }

    /// Adds `other`'s entries (another shard's list) up to the limit; sample counts of a name in both add.
    package mutating func absorb(_ other: UnmappedNames) {
        for entry in other.entries {
            let key = Key(name: entry.name, type: entry.type, source: entry.source)
            if let index = self.known[key] {
                self.entries[Int(index)].samples &+= entry.samples
                self.entries[Int(index)].firstSeen = min(self.entries[Int(index)].firstSeen, entry.firstSeen)
            } else if self.entries.count < self.limit {
                self.known[key] = Int32(self.entries.count)
                self.entries.append(entry)
            } else {
                self.overflow &+= 1
            }
        }
        self.overflow &+= other.overflow
    }
}
