/// A classic histogram series: per-bucket (non-cumulative) weights, cumulated when written; optionally native
/// (sparse exponential) buckets beside them, and the last exemplar per classic bucket.
///
/// Weights are `Double` because a sampled observation (`|@0.1`) counts as 1/rate observations.
///
/// Six words (48 bytes, checked by a test): what an observation reads — `counts`, `bounds`, `sum`, `count` and whether
/// there are native buckets — lies in one cache line of the value column. Native buckets (48 bytes, rare) are kept
/// out of line for that reason, in an array of zero or one element (which keeps copy-on-write value semantics).
package struct HistogramState: Sendable {
    /// `counts[i]` is the weight of observations in (bounds[i-1], bounds[i]]; the last entry is (last bound, +Inf].
    package private(set) var counts: [Double]
    /// The family's upper bounds (one buffer shared by all its series), kept here so that an observation reads the
    /// series' own state and not the family.
    package private(set) var bounds: [Double]
    package private(set) var sum: Double = 0
    package private(set) var count: Double = 0
    /// The native buckets, if any (zero or one element).
    private var nativeBuckets: [NativeHistogramState] = []
    /// The last exemplar per classic bucket (same indices as `counts`); empty until the first exemplar arrives.
    package private(set) var exemplars: [Exemplar?] = []

    /// Native buckets, when the family's mapping sets `native_histogram_bucket_factor` > 1.
    package private(set) var native: NativeHistogramState? {
        get { self.nativeBuckets.first }
        set { self.nativeBuckets = newValue.map { [$0] } ?? [] }
    }

    package init(bounds: [Double], native: NativeHistogramState? = nil) {
        self.counts = Array(repeating: 0, count: bounds.count + 1)
        self.bounds = bounds
        self.native = native
    }

    /// Adds `weight` observations of `value`.
    @inline(__always)
    package mutating func observe(_ value: Double, weight: Double) {
        let index = Self.bucketIndex(value, bounds: self.bounds)
        self.counts[index] += weight
        self.sum += value * weight
        self.count += weight
        if !self.nativeBuckets.isEmpty { self.nativeBuckets[0].observe(value, weight: weight) }
    }

    /// The classic bucket `value` falls in: the first bound `value <= bound`, or +Inf (also for NaN, as in
    /// client_golang). For strictly increasing bounds that index is the number of bounds `value` is not at or below,
    /// which is counted four bounds at a time with vector compares — no branch depends on `value`, so an
    /// unpredictable stream of timings costs no mispredictions. Always a valid index into `counts`.
    @inline(__always)
    package static func bucketIndex(_ value: Double, bounds: [Double]) -> Int {
        bounds.withUnsafeBufferPointer { bounds in
            let count = bounds.count
            guard count >= 4, let base = bounds.baseAddress else {
                var index = 0
                while index < count && !(value <= bounds[index]) { index += 1 }
                return index
            }
            let raw = UnsafeRawPointer(base)
            let values = SIMD4<Double>(repeating: value)
            // Lanes are -1 (all ones) where the bound is below `value`: subtracting them counts.
            var above = SIMD4<Int64>()
            var index = 0
            while index + 4 <= count {
                let chunk = raw.loadUnaligned(fromByteOffset: index &* 8, as: SIMD4<Double>.self)
                above &-= Self.notAtOrBelow(values, chunk)
                index &+= 4
            }
            if index < count {
                // The last four bounds, of which the first `4 - (count - index)` were counted above.
                let chunk = raw.loadUnaligned(fromByteOffset: (count &- 4) &* 8, as: SIMD4<Double>.self)
                let fresh = SIMD4<Int64>(0, 1, 2, 3) .>= SIMD4<Int64>(repeating: Int64(4 &- (count &- index)))
                above &-= Self.notAtOrBelow(values, chunk) & Self.lanes(fresh)
            }
            return Int(above.wrappedSum())
        }
    }

    /// All-ones lanes where `!(value <= bound)`, zero elsewhere.
    @inline(__always)
    private static func notAtOrBelow(_ values: SIMD4<Double>, _ bounds: SIMD4<Double>) -> SIMD4<Int64> {
        Self.lanes(.!(values .<= bounds))
    }

    @inline(__always)
    private static func lanes(_ mask: SIMDMask<SIMD4<Int64>>) -> SIMD4<Int64> {
        SIMD4<Int64>(repeating: 0).replacing(with: -1, where: mask)
    }

    /// Adds `other`'s observations (the same series in another shard; same bounds). Exemplars: `other`'s win
    /// where it has one.
    package mutating func add(_ other: HistogramState) {
        for index in self.counts.indices where index < other.counts.count { self.counts[index] += other.counts[index] }
        self.sum += other.sum
        self.count += other.count
        if let theirs = other.native {
            if self.nativeBuckets.isEmpty { self.native = theirs } else { self.nativeBuckets[0].add(theirs) }
        }
        if !other.exemplars.isEmpty {
            if self.exemplars.isEmpty { self.exemplars = other.exemplars }
            for (index, exemplar) in other.exemplars.enumerated() where exemplar != nil { self.exemplars[index] = exemplar }
        }
    }

    /// Keeps `exemplar` as the last one of the classic bucket its value falls in.
    package mutating func attach(_ exemplar: Exemplar) {
        if self.exemplars.isEmpty { self.exemplars = Array(repeating: nil, count: self.counts.count) }
        self.exemplars[Self.bucketIndex(exemplar.value, bounds: self.bounds)] = exemplar
    }

    /// Writes the classic buckets, sum, count, the native buckets and the exemplars.
    func encode(into encoder: inout SnapshotEncoder) {
        encoder.write(self.counts)
        encoder.write(self.sum)
        encoder.write(self.count)
        encoder.write(self.native != nil)
        self.native?.encode(into: &encoder)
        encoder.write(count: self.exemplars.count)
        for exemplar in self.exemplars { Exemplar.encode(exemplar, into: &encoder) }
    }

    /// The histogram a snapshot holds for a family with these `bounds` (another bucket count is invalid: the
    /// buckets would not line up with the bounds).
    init(decoding decoder: inout SnapshotDecoder, bounds: [Double]) throws(SnapshotFailure) {
        self.bounds = bounds
        self.counts = try decoder.readDoubles()
        guard self.counts.count == bounds.count + 1 else { throw .invalidValue }
        self.sum = try decoder.readDouble()
        self.count = try decoder.readDouble()
        self.native = try decoder.readBool() ? try NativeHistogramState(decoding: &decoder) : nil
        let exemplarCount = try decoder.readCount(elementBytes: 1)
        guard exemplarCount == 0 || exemplarCount == self.counts.count else { throw .invalidValue }
        for _ in 0..<exemplarCount { self.exemplars.append(try Exemplar.decodeOptional(from: &decoder)) }
    }
}

