/// Appends the primitive values of a snapshot to a byte buffer: fixed-width little-endian integers and IEEE 754
/// doubles, strings as a 32-bit length and their UTF-8 bytes. ``SnapshotDecoder`` reads them back.
///
/// Fixed widths cost a few bytes per series against varints but keep writing a plain append with no branches
/// (see README, "Persistence").
package struct SnapshotEncoder: Sendable {
    package private(set) var bytes: [UInt8] = []
    /// Monotonic ns at which the snapshot is taken: times of the state (window ends, last updates) are written
    /// relative to it, since a restarted process has another monotonic clock.
    package let now: UInt64

    package init(now: UInt64, reservingCapacity capacity: Int = 0) {
        self.now = now
        self.bytes.reserveCapacity(capacity)
    }

    @inline(__always)
    package mutating func write(_ value: UInt8) { self.bytes.append(value) }

    @inline(__always)
    package mutating func write(_ value: Bool) { self.bytes.append(value ? 1 : 0) }

    @inline(__always)
    package mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { self.bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    package mutating func write(_ value: Int32) { self.write(UInt32(bitPattern: value)) }

    @inline(__always)
    package mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { self.bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    package mutating func write(_ value: Int64) { self.write(UInt64(bitPattern: value)) }

    @inline(__always)
    package mutating func write(_ value: Double) { self.write(value.bitPattern) }

    /// A count or length (at most `UInt32.max`).
    @inline(__always)
    package mutating func write(count: Int) { self.write(UInt32(truncatingIfNeeded: count)) }

    package mutating func write(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            self.write(count: utf8.count)
            self.bytes.append(contentsOf: utf8)
        }
    }

    package mutating func write(_ value: String?) {
        self.write(value != nil)
        if let value { self.write(value) }
    }

    package mutating func write(_ values: [Double]) {
        self.write(count: values.count)
        for value in values { self.write(value) }
    }

    /// Sparse buckets (native histograms, sketches) in key order, so equal states give equal bytes.
    package mutating func write(_ buckets: [Int32: Double]) {
        self.write(count: buckets.count)
        for key in buckets.keys.sorted() {
            self.write(key)
            self.write(buckets[key]!)
        }
    }

    /// A monotonic deadline of the state as nanoseconds after (positive) or before (negative) ``now``.
    package mutating func write(deadline: UInt64) {
        self.write(Int64(clamping: Int128(deadline) - Int128(self.now)))
    }

    /// Overwrites 4 bytes at `offset` (a length written before its payload was known).
    package mutating func patch(_ value: UInt32, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for index in 0..<4 { self.bytes[offset + index] = raw[index] }
        }
    }

    package mutating func append(contentsOf other: [UInt8]) { self.bytes.append(contentsOf: other) }

    package mutating func takeBytes() -> [UInt8] {
        defer { self.bytes = [] }
        return self.bytes
    }
}
