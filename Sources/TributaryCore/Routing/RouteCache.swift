/// Routes by raw line-shape key (type, name section, tags as bytes in the datagram), and the metric names routes
/// count under. Owned by ``ShardState``; emptied after a reload, an expiry, or when it grows past its bound.
struct RouteCache: Sendable {
    private var routes: [Route] = []
    private var table = RawKeyTable()
    /// Metric names that rejected, limited and folded routes count under (index in ``Route/Kind``).
    private var metricNames: [String] = []
    private var metricNameIndices: [String: Int32] = [:]
    /// Cached routes that are ``Route/isBudgetBound``.
    private(set) var budgetBoundCount = 0

    var count: Int { self.routes.count }

    @inline(__always)
    subscript(index: Int32) -> Route { self.routes[Int(index)] }

    /// The index of the route cached under `key`, if any.
    @inline(__always)
    func find(_ key: RawKeyTable.SegmentedKey, hash: UInt64) -> Int32? { self.table.find(key, hash: hash) }

    /// Caches `route` under `key`; returns its index.
    mutating func insert(_ route: Route, key: RawKeyTable.SegmentedKey, hash: UInt64) -> Int32 {
        let index = Int32(self.routes.count)
        self.routes.append(route)
        if route.isBudgetBound { self.budgetBoundCount += 1 }
        self.table.insert(key, hash: hash, value: index)
        return index
    }

    /// Replaces the route at `index` (a stale one, recomputed) under the same key.
    mutating func replace(at index: Int32, with route: Route) {
        if self.routes[Int(index)].isBudgetBound { self.budgetBoundCount -= 1 }
        if route.isBudgetBound { self.budgetBoundCount += 1 }
        self.routes[Int(index)] = route
    }

    mutating func removeAll() {
        self.budgetBoundCount = 0
        self.routes.removeAll(keepingCapacity: true)
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
