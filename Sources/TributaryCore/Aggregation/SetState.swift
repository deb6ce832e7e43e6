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
}
