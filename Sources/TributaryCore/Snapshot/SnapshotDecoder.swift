/// Reads what ``SnapshotEncoder`` wrote, never trusting it: every read checks the bytes left, every count is
/// checked against them before anything is allocated, and a failure is a thrown ``SnapshotFailure``, never a trap.
package struct SnapshotDecoder {
    private let base: UnsafeRawBufferPointer
    package private(set) var offset: Int
    private let end: Int
    /// Monotonic ns now, in the restoring process.
    package let now: UInt64
    /// Nanoseconds the process was down (wall clock of the restore minus that of the write; ≥ 0): time that passed
    /// for windows and TTL clocks while nothing ran.
    package let downtimeNanos: UInt64

    /// Reads `bytes[offset..<end]`; the buffer must outlive the decoder.
    package init(bytes: UnsafeRawBufferPointer, offset: Int = 0, end: Int? = nil, now: UInt64, downtimeNanos: UInt64) {
        self.base = bytes
        self.offset = offset
        self.end = min(end ?? bytes.count, bytes.count)
        self.now = now
        self.downtimeNanos = downtimeNanos
    }

    package var remaining: Int { self.end - self.offset }

    private mutating func take(_ count: Int) throws(SnapshotFailure) -> Int {
        guard count >= 0, count <= self.remaining else { throw .truncated }
        defer { self.offset += count }
        return self.offset
    }

    package mutating func readUInt8() throws(SnapshotFailure) -> UInt8 { self.base[try self.take(1)] }

    package mutating func readBool() throws(SnapshotFailure) -> Bool {
        switch try self.readUInt8() {
        case 0: return false
        case 1: return true
        default: throw .invalidValue
        }
    }

    package mutating func readUInt32() throws(SnapshotFailure) -> UInt32 {
        let at = try self.take(4)
        return UInt32(littleEndian: self.base.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }

    package mutating func readInt32() throws(SnapshotFailure) -> Int32 { Int32(bitPattern: try self.readUInt32()) }

    package mutating func readUInt64() throws(SnapshotFailure) -> UInt64 {
        let at = try self.take(8)
        return UInt64(littleEndian: self.base.loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }

    package mutating func readInt64() throws(SnapshotFailure) -> Int64 { Int64(bitPattern: try self.readUInt64()) }

    package mutating func readDouble() throws(SnapshotFailure) -> Double { Double(bitPattern: try self.readUInt64()) }

    /// A finite double, or `.invalidValue` (a window length, a bound).
    package mutating func readFiniteDouble() throws(SnapshotFailure) -> Double {
        let value = try self.readDouble()
        guard value.isFinite else { throw .invalidValue }
        return value
    }

    /// A count of elements at least `elementBytes` long each: at most what the remaining bytes can hold.
    package mutating func readCount(elementBytes: Int) throws(SnapshotFailure) -> Int {
        let count = Int(try self.readUInt32())
        guard count * max(1, elementBytes) <= self.remaining else { throw .truncated }
        return count
    }

    package mutating func readString() throws(SnapshotFailure) -> String {
        let count = try self.readCount(elementBytes: 1)
        let at = try self.take(count)
        let slice = UnsafeRawBufferPointer(rebasing: self.base[at..<at + count])
        guard let string = String(validating: slice.assumingMemoryBound(to: UInt8.self), as: UTF8.self) else {
            throw .invalidValue
        }
        return string
    }

    package mutating func readOptionalString() throws(SnapshotFailure) -> String? {
        try self.readBool() ? try self.readString() : nil
    }

    package mutating func readDoubles() throws(SnapshotFailure) -> [Double] {
        let count = try self.readCount(elementBytes: 8)
        var values: [Double] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try self.readDouble()) }
        return values
    }

    package mutating func readBuckets() throws(SnapshotFailure) -> [Int32: Double] {
        let count = try self.readCount(elementBytes: 12)
        var buckets: [Int32: Double] = [:]
        buckets.reserveCapacity(count)
        for _ in 0..<count {
            let key = try self.readInt32()
            buckets[key] = try self.readDouble()
        }
        return buckets
    }

    /// A deadline written by ``SnapshotEncoder/write(deadline:)``, moved to this process's clock and by the
    /// downtime (a window that ended while Tributary was down is in the past).
    package mutating func readDeadline() throws(SnapshotFailure) -> UInt64 {
        let relative = Int128(try self.readInt64()) - Int128(self.downtimeNanos)
        return UInt64(clamping: Int128(self.now) + relative)
    }
}
