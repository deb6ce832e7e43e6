/// The values of every series of one storage kind, indexed by ``SeriesRecord/slot``, with a free list.
///
/// Owned by ``ValueColumns`` inside a ``SeriesStore``; the slot bookkeeping (which slots are free) is private here,
/// so a slot is either in use by exactly one series or on the free list.
struct ValueColumn<Value: SeriesValue>: Sendable {
    private var values: [Value] = []
    private var free: [Int32] = []

    /// Slots in use.
    var liveCount: Int { self.values.count - self.free.count }

    /// Stores `value` in a free slot (or a new one) and returns the slot.
    mutating func allocate(_ value: Value) -> Int32 {
        if let slot = self.free.popLast() {
            self.values[Int(slot)] = value
            return slot
        }
        self.values.append(value)
        return Int32(self.values.count - 1)
    }

    /// Frees `slot`, dropping the memory its value holds until it is reused.
    mutating func release(_ slot: Int32) {
        self.values[Int(slot)] = .released
        self.free.append(slot)
    }

    mutating func reserveCapacity(adding count: Int) {
        self.values.reserveCapacity(self.values.count + count)
    }

    @inline(__always)
    subscript(slot: Int32) -> Value {
        get { self.values[Int(slot)] }
        _modify { yield &self.values[Int(slot)] }
    }
}

/// One ``ValueColumn`` per storage kind; a kind's value type names its column (``SeriesValue/column``).
struct ValueColumns: Sendable {
    var counters = ValueColumn<CounterValue>()
    var gauges = ValueColumn<GaugeValue>()
    var sets = ValueColumn<SetState>()
    var summaries = ValueColumn<SummaryState>()
    var histograms = ValueColumn<HistogramState>()
}
