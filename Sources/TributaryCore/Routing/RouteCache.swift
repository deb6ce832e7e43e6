/// Routes by raw line-shape key (type, name section, tags as bytes in the datagram), and the metric names routes
/// count under. Owned by ``ShardState``; emptied after a reload, an expiry, or when it grows past its bound.
///
/// Routes live in the table's entries, so a cached line shape costs the slot, the entry and the key bytes: no
/// separate array of routes to miss in.
struct RouteCache: Sendable {
    typealias Position = RawKeyTable<Route>.Position
    private var table = RawKeyTable<Route>()
    /// Metric names that rejected, limited and folded routes count under (index in ``Route/Kind``).
    private var metricNames: [String] = []
    private var metricNameIndices: [String: Int32] = [:]
    /// Cached routes that are ``Route/isBudgetBound``.
    private(set) var budgetBoundCount = 0

    var count: Int { self.table.count }

    @inline(__always)
    subscript(position: Position) -> Route { self.table.value(at: position) }

    /// Where the route cached under `key` is, if any.
    @inline(__always)
    func find(_ key: RawKey.Segmented, hash: UInt64) -> Position? { self.table.position(of: key, hash: hash) }

    /// Caches `route` under `key`.
    mutating func insert(_ route: Route, key: RawKey.Segmented, hash: UInt64) {
        if route.isBudgetBound { self.budgetBoundCount += 1 }
        self.table.insert(key, hash: hash, value: route)
    }

    /// Replaces the route at `position` (a stale one, recomputed) under the same key.
    mutating func replace(at position: Position, with route: Route) {
        if self.table.value(at: position).isBudgetBound { self.budgetBoundCount -= 1 }
        if route.isBudgetBound { self.budgetBoundCount += 1 }
        self.table.replaceValue(at: position, with: route)
    }

    mutating func removeAll() {
        self.budgetBoundCount = 0
        self.table.removeAll()
        self.metricNames.removeAll(keepingCapacity: true)
        self.metricNameIndices.removeAll(keepingCapacity: true)
    }

    /// The index of `name` among the metric names routes count under.
    mutating func metricIndex(_ name: String) -> Int32 {
        if let index = self.metricNameIndices[name] { return index }
        self.metricNames.append(name)
        let index = Int32(self.metricNames.count - 1)
        self.metricNameIndices[name] = index
        return index
    }

    func metricName(_ index: Int32) -> String { self.metricNames[Int(index)] }
}
