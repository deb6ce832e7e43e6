/// A StatsD set (`|s`): the number of distinct members, exported as a gauge.
///
/// Window: members are counted per window of `windowNanos` (60 s by default). The exported value is
/// the distinct count of the last completed window; during the first window it is the running count.
/// Members are kept as 64-bit hashes of their bytes.
package struct SetState: Sendable {
    private var current: Set<UInt64> = []
    private var lastCompleted: Int?
    private var windowEndsAt: UInt64
    private let windowNanos: UInt64

    package init(windowNanos: UInt64, now: UInt64) {
        self.windowNanos = max(1, windowNanos)
        self.windowEndsAt = now &+ self.windowNanos
    }

    package mutating func add(memberHash: UInt64, now: UInt64) {
        self.roll(now: now)
        self.current.insert(memberHash)
    }

    package mutating func value(now: UInt64) -> Double {
        self.roll(now: now)
        return Double(self.lastCompleted ?? self.current.count)
    }

    private mutating func roll(now: UInt64) {
        guard now >= self.windowEndsAt else { return }
        // A window with nothing after it (idle longer than one window) completes as empty.
        let windowsPassed = (now - self.windowEndsAt) / self.windowNanos + 1
        self.lastCompleted = windowsPassed == 1 ? self.current.count : 0
        self.current.removeAll(keepingCapacity: true)
        self.windowEndsAt &+= windowsPassed &* self.windowNanos
    }

    /// Writes the window (its length and end) and the members of the current and the last completed window.
    func encode(into encoder: inout SnapshotEncoder) {
        encoder.write(self.windowNanos)
        encoder.write(deadline: self.windowEndsAt)
        encoder.write(Int64(self.lastCompleted ?? -1))
        encoder.write(count: self.current.count)
        for member in self.current.sorted() { encoder.write(member) }  // sorted: equal sets, equal bytes
    }

    /// The set a snapshot holds; its window keeps running through the downtime (``SnapshotDecoder/readDeadline()``).
    init(decoding decoder: inout SnapshotDecoder) throws(SnapshotFailure) {
        let windowNanos = try decoder.readUInt64()
        guard windowNanos > 0 else { throw .invalidValue }
        self.windowNanos = windowNanos
        self.windowEndsAt = try decoder.readDeadline()
        let lastCompleted = try decoder.readInt64()
        guard lastCompleted >= -1 else { throw .invalidValue }
        self.lastCompleted = lastCompleted < 0 ? nil : Int(lastCompleted)
        let count = try decoder.readCount(elementBytes: 8)
        self.current.reserveCapacity(count)
        for _ in 0..<count { self.current.insert(try decoder.readUInt64()) }
    }
}
