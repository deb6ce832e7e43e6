/// Sparse exponential buckets of a native histogram, kept beside a classic histogram's buckets.
///
/// Follows client_golang (`prometheus/histogram.go`): bucket `i` of schema `s` holds observations in
/// `(2^((i-1)/2^s), 2^(i/2^s)]`; observations with `|v| <= zeroThreshold` go to the zero bucket. When the number of
/// populated buckets exceeds `maxBuckets` the schema is lowered by one (each pair of buckets merged) until it fits
/// or the schema reaches -4. Weights are `Double` because sampled observations count 1/rate times.
///
/// Cost per observation: a `frexp`, a binary search in a shared bounds table (schema > 0), a dictionary update that
/// allocates only when a bucket is populated for the first time.
package struct NativeHistogramState: Sendable {
    package private(set) var schema: Int32
    package let zeroThreshold: Double
    package let maxBuckets: Int
    package private(set) var zeroCount: Double = 0
    /// Weights by bucket index, for positive and negative observations.
    package private(set) var positive: [Int32: Double] = [:]
    package private(set) var negative: [Int32: Double] = [:]

    /// client_golang's `DefNativeHistogramZeroThreshold`, 2^-128.
    package static let defaultZeroThreshold = 2.938735877055719e-39

    /// The largest schema whose bucket growth factor `2^(2^-schema)` is at most `factor`, within [-4, 8]
    /// (client_golang `pickSchema`). `factor` must be > 1.
    package static func schema(forFactor factor: Double) -> Int32 {
        for schema in Int32(-4)...7 where Self.growthFactor(schema: schema) <= factor { return schema }
        return 8
    }

    /// `2^(2^-schema)`: the ratio between consecutive bucket bounds (repeated square roots; no libm in the core).
    package static func growthFactor(schema: Int32) -> Double {
        var factor = 2.0
        if schema <= 0 {
            for _ in 0..<(-schema) { factor *= factor }
        } else {
            for _ in 0..<schema { factor = factor.squareRoot() }
        }
        return factor
    }

    package init(schema: Int32, zeroThreshold: Double = Self.defaultZeroThreshold, maxBuckets: Int = 0) {
        self.schema = schema
        self.zeroThreshold = zeroThreshold
        self.maxBuckets = maxBuckets
    }

    /// Adds `weight` observations of `value` (NaN is ignored here, as client_golang keeps it out of buckets).
    @inline(__always)
    package mutating func observe(_ value: Double, weight: Double) {
        if value.isNaN { return }
        let magnitude = abs(value)
        if magnitude <= self.zeroThreshold {
            self.zeroCount += weight
            return
        }
        let key = Self.key(magnitude, schema: self.schema)
        let isNew: Bool
        if value > 0 {
            isNew = self.positive[key] == nil
            self.positive[key, default: 0] += weight
        } else {
            isNew = self.negative[key] == nil
            self.negative[key, default: 0] += weight
        }
        if isNew && self.maxBuckets > 0 {
            while self.positive.count + self.negative.count > self.maxBuckets && self.schema > -4 {
                self.halveResolution()
            }
        }
    }

    /// The bucket index of a positive finite-or-infinite magnitude at `schema`.
    @inline(__always)
    package static func key(_ magnitude: Double, schema: Int32) -> Int32 {
        if magnitude.isInfinite { return Int32.max }
        let exponent = Int32(magnitude.exponent) + 1  // frexp: magnitude = fraction * 2^exponent, fraction in [0.5, 1)
        let fraction = magnitude.significand / 2
        if schema > 0 {
            let bounds = NativeHistogramBounds.table[Int(schema)]
            // First index whose bound is >= fraction.
            var low = 0
            var high = bounds.count
            while low < high {
                let mid = (low + high) / 2
                if bounds[mid] < fraction { low = mid + 1 } else { high = mid }
            }
            return Int32(low) + (exponent - 1) * Int32(bounds.count)
        }
        var key = exponent
        if fraction == 0.5 { key -= 1 }
        let offset = Int32((1 << -schema) - 1)
        return (key + offset) >> -schema
    }

    /// Adds `other`'s buckets (a series spread over two shards), first lowering the finer of the two schemas to the
    /// coarser one, as client_golang does when it adds histograms of different resolutions.
    package mutating func add(_ other: NativeHistogramState) {
        var other = other
        while other.schema > self.schema { other.halveResolution() }
        while self.schema > other.schema { self.halveResolution() }
        self.zeroCount += other.zeroCount
        for (key, weight) in other.positive { self.positive[key, default: 0] += weight }
        for (key, weight) in other.negative { self.negative[key, default: 0] += weight }
        if self.maxBuckets > 0 {
            while self.positive.count + self.negative.count > self.maxBuckets && self.schema > -4 {
                self.halveResolution()
            }
        }
    }

    /// Lowers the schema by one: bucket `i` becomes `ceil(i / 2)` (client_golang `doubleBucketWidth`).
    private mutating func halveResolution() {
        self.schema -= 1
        self.positive = Self.merged(self.positive)
        self.negative = Self.merged(self.negative)
    }

    private static func merged(_ buckets: [Int32: Double]) -> [Int32: Double] {
        var result: [Int32: Double] = [:]
        result.reserveCapacity(buckets.count)
        for (key, weight) in buckets {
            // ceil(key / 2) without overflow: +Inf lives at Int32.max.
            let newKey = key > 0 ? key / 2 + (key & 1) : key / 2
            result[newKey, default: 0] += weight
        }
        return result
    }

    /// Populated buckets in index order as spans (offset from the previous span's end, or the first index) and
    /// their weights: what the protobuf `*_span` and `*_delta`/`*_count` fields carry.
    package static func spans(_ buckets: [Int32: Double]) -> (spans: [(offset: Int32, length: UInt32)], weights: [Double]) {
        let keys = buckets.keys.sorted()
        var spans: [(offset: Int32, length: UInt32)] = []
        var weights: [Double] = []
        weights.reserveCapacity(keys.count)
        var previous: Int32? = nil
        for key in keys {
            // Wrapping arithmetic, as client_golang's int32 offsets: +Inf's bucket (Int32.max) after a very small
            // value's bucket is a gap no Int32 holds.
            if let last = previous, key == last &+ 1 {
                spans[spans.count - 1].length += 1
            } else {
                spans.append((offset: previous.map { key &- $0 &- 1 } ?? key, length: 1))
            }
            weights.append(buckets[key]!)
            previous = key
        }
        return (spans, weights)
    }
}

extension NativeHistogramState {
    /// Largest bucket index magnitude a restored bucket may have besides +Inf's `Int32.max`: more than any finite
    /// double gives at schema 8 (about 1024 · 256).
    private static let restoredKeyLimit: Int32 = 1 << 20

    func encode(into encoder: inout SnapshotEncoder) {
        encoder.write(self.schema)
        encoder.write(self.zeroThreshold)
        encoder.write(count: self.maxBuckets)
        encoder.write(self.zeroCount)
        encoder.write(self.positive)
        encoder.write(self.negative)
    }

    /// The native buckets a snapshot holds; a schema outside [-4, 8] or a bucket index no observation produces is
    /// invalid.
    init(decoding decoder: inout SnapshotDecoder) throws(SnapshotFailure) {
        self.schema = try decoder.readInt32()
        self.zeroThreshold = try decoder.readFiniteDouble()
        self.maxBuckets = Int(try decoder.readUInt32())
        self.zeroCount = try decoder.readDouble()
        self.positive = try decoder.readBuckets()
        self.negative = try decoder.readBuckets()
        guard (-4...8).contains(self.schema), self.zeroThreshold >= 0 else { throw .invalidValue }
        let valid = { (key: Int32) in key == Int32.max || (-Self.restoredKeyLimit...Self.restoredKeyLimit).contains(key) }
        guard self.positive.keys.allSatisfy(valid), self.negative.keys.allSatisfy(valid) else { throw .invalidValue }
    }
}

/// Upper bounds of the fraction (`frexp`, in [0.5, 1)) per bucket for schemas 1…8: entry `i` of schema `s` is
/// `2^(i/2^s) / 2`, built from the roots `2^(1/2^k)` (one product per set bit of `i`).
enum NativeHistogramBounds {
    static let table: [[Double]] = {
        var roots = [2.0]  // roots[k] = 2^(1/2^k)
        for _ in 1...8 { roots.append(roots[roots.count - 1].squareRoot()) }
        return (0...8).map { schema in
            guard schema > 0 else { return [] }
            return (0..<(1 << schema)).map { index in
                var value = 0.5
                for bit in 0..<schema where index & (1 << bit) != 0 { value *= roots[schema - bit] }
                return value
            }
        }
    }()
}
