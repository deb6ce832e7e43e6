/// A bounded record of StatsD names that matched no mapping rule: the first `limit` distinct (name, type) pairs a
/// shard saw, in first-seen order, so a user can see what still needs a rule (`GET /api/v1/unmapped`).
///
/// Written only on the routing slow path (once per new line shape), never per line: it keeps when a name was first
/// seen, not how often it is sent. Owned by ``ShardState`` under the shard's lock.
package struct UnmappedNames: Sendable {
    package struct Entry: Sendable, Equatable {
        /// The StatsD name as sent, tags removed.
        package var name: String
        package var type: StatsDType
        /// The escaped Prometheus name it is exported under.
        package var prometheusName: String
        /// Monotonic time (ns) of the first line shape with this name and type.
        package var firstSeen: UInt64
    }

    private struct Key: Hashable {
        var name: String
        var type: StatsDType
    }

    /// The most entries kept; 0 keeps none.
    package let limit: Int
    /// Entries in first-seen order.
    package private(set) var entries: [Entry] = []
    /// Unmapped line shapes seen while the list was full and their name was not in it (cumulative). A name sent
    /// with several tag sets counts once per tag set; routes recomputed after a reload or expiry count again.
    package private(set) var overflow: UInt64 = 0
    private var known: Set<Key> = []

    package init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Records an unmapped name unless already known; counts it as overflow when the list is full.
    package mutating func record(name: String, type: StatsDType, prometheusName: String, now: UInt64) {
        let key = Key(name: name, type: type)
        if self.known.contains(key) { return }
        guard self.entries.count < self.limit else {
            self.overflow &+= 1
            return
        }
        self.known.insert(key)
        self.entries.append(Entry(name: name, type: type, prometheusName: prometheusName, firstSeen: now))
    }

    /// Drops the entries `isMapped` says a rule now matches (after a reload), making room for new ones.
    package mutating func removeAll(where isMapped: (Entry) -> Bool) {
        self.entries.removeAll { entry in
            guard isMapped(entry) else { return false }
            self.known.remove(Key(name: entry.name, type: entry.type))
            return true
        }
    }
}
