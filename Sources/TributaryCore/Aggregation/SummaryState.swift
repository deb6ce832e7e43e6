#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A summary series: cumulative count and sum, and quantiles over a sliding window of `maxAge`.
///
/// The window is a ring of `ageBuckets` slices, each `maxAge / ageBuckets` long, like client_golang's
/// summary. A slice keeps its observations exactly up to `bufferCapacity`; past that they are folded
/// into a log-bucketed sketch with 0.5 % relative error, so memory stays bounded at any rate. While
/// every observation in the window is exact, quantiles are exact (nearest rank), which is what
/// statsd_exporter reports for small sample counts.
package struct SummaryState: Sendable {
    private struct Slice: Sendable {
        var values: [Double] = []
        /// The weight of each value; empty while every weight is 1 (unsampled timings, nearly always), so that an
        /// observation appends to one array, not two.
        var weights: [Double] = []
        var sketch = LogSketch()

        @inline(__always)
        func weight(at index: Int) -> Double { self.weights.isEmpty ? 1 : self.weights[index] }

        /// The sum of the exact values' weights.
        var exactWeight: Double {
            if self.weights.isEmpty { return Double(self.values.count) }
            var total = 0.0
            for weight in self.weights { total += weight }
            return total
        }

        /// Writes every weight (what snapshots hold, so the format is the same either way).
        func encodeWeights(into encoder: inout SnapshotEncoder) {
            guard self.weights.isEmpty else { return encoder.write(self.weights) }
            encoder.write(count: self.values.count)
            for _ in self.values.indices { encoder.write(1.0) }
        }

        @inline(__always)
        mutating func append(_ value: Double, weight: Double) {
            let stored = !self.weights.isEmpty
            if stored || weight != 1 {
                if !stored { self.weights = Array(repeating: 1, count: self.values.count) }
                self.weights.append(weight)
            }
            self.values.append(value)
        }
    }

    package private(set) var sum: Double = 0
    package private(set) var count: Double = 0
    private var slices: [Slice]
    /// Index of the slice that receives new observations.
    private var head = 0
    /// Monotonic time (ns) at which the head slice ends.
    private var headEndsAt: UInt64
    private let sliceNanos: UInt64
    private let bufferCapacity: Int

    package init(options: SummaryOptions, now: UInt64) {
        let slices = max(1, options.ageBuckets)
        self.slices = Array(repeating: Slice(), count: slices)
        self.sliceNanos = max(1, UInt64(max(0, options.maxAgeSeconds) * 1e9) / UInt64(slices))
        self.headEndsAt = now &+ self.sliceNanos
        self.bufferCapacity = max(16, options.bufferCapacity)
    }

    @inline(__always)
    package mutating func observe(_ value: Double, weight: Double, now: UInt64) {
        self.rotate(now: now)
        self.sum += value * weight
        self.count += weight
        if self.slices[self.head].values.count >= self.bufferCapacity {
            self.foldHead()
        }
        self.slices[self.head].append(value, weight: weight)
    }

    /// Quantiles for `objectives` over the current window; NaN when the window is empty.
    package mutating func quantiles(_ objectives: [SummaryObjective], now: UInt64) -> [Double] {
        var pairs: [(Double, Double)] = []
        var values: [Double] = []
        self.quantiles(objectives, now: now, scratch: &pairs, into: &values)
        return values
    }

    /// Like ``quantiles(_:now:)``, but writes into `values` and sorts in `pairs`, both reused by the
    /// caller across series so a scrape does not allocate per summary.
    package mutating func quantiles(
        _ objectives: [SummaryObjective], now: UInt64, scratch pairs: inout [(Double, Double)], into values: inout [Double]
    ) {
        values.removeAll(keepingCapacity: true)
        self.rotate(now: now)
        var exact = true
        var total = 0.0
        for slice in self.slices {
            if !slice.sketch.isEmpty { exact = false }
            total += slice.exactWeight
            total += slice.sketch.totalWeight
        }
        if total == 0 {
            for _ in objectives { values.append(.nan) }
            return
        }
        if exact {
            pairs.removeAll(keepingCapacity: true)
            for slice in self.slices {
                for i in slice.values.indices { pairs.append((slice.values[i], slice.weight(at: i))) }
            }
            pairs.sort { $0.0 < $1.0 }
            for objective in objectives {
                let rank = objective.quantile * total
                var seen = 0.0
                var quantile = pairs[pairs.count - 1].0
                for (value, weight) in pairs {
                    seen += weight
                    if seen >= rank - 1e-9 {
                        quantile = value
                        break
                    }
                }
                values.append(quantile)
            }
            return
        }
        var merged = LogSketch()
        for slice in self.slices {
            merged.merge(slice.sketch)
            for i in slice.values.indices { merged.add(slice.values[i], weight: slice.weight(at: i)) }
        }
        for objective in objectives { values.append(merged.quantile(objective.quantile)) }
    }

    private mutating func foldHead() {
        var slice = self.slices[self.head]
        for i in slice.values.indices { slice.sketch.add(slice.values[i], weight: slice.weight(at: i)) }
        slice.values.removeAll(keepingCapacity: true)
        slice.weights.removeAll(keepingCapacity: true)
        self.slices[self.head] = slice
    }

    @inline(__always)
    private mutating func rotate(now: UInt64) {
        if now < self.headEndsAt { return }
        var steps = 0
        while now >= self.headEndsAt && steps <= self.slices.count {
            self.head = (self.head + 1) % self.slices.count
            self.slices[self.head] = Slice()
            self.headEndsAt &+= self.sliceNanos
            steps += 1
        }
        if now >= self.headEndsAt {
            // Idle for longer than the whole window: every slice is already empty; realign.
            self.headEndsAt = now &+ self.sliceNanos
        }
    }
}

extension SummaryState {
    /// Most window slices and buffer capacity a snapshot may give a summary (far above any mapping's).
    private static let restoreLimit = 1 << 20

    /// Writes the cumulative sum and count and the whole window: every slice's exact values and sketch, the head
    /// and when it ends.
    func encode(into encoder: inout SnapshotEncoder) {
        encoder.write(self.sum)
        encoder.write(self.count)
        encoder.write(self.sliceNanos)
        encoder.write(count: self.bufferCapacity)
        encoder.write(count: self.head)
        encoder.write(deadline: self.headEndsAt)
        encoder.write(count: self.slices.count)
        for slice in self.slices {
            encoder.write(slice.values)
            slice.encodeWeights(into: &encoder)
            slice.sketch.encode(into: &encoder)
        }
    }

    /// The summary a snapshot holds; the window keeps sliding through the downtime, so slices older than
    /// `max_age` are dropped at the first observation or scrape, as if Tributary had run on.
    init(decoding decoder: inout SnapshotDecoder) throws(SnapshotFailure) {
        self.sum = try decoder.readDouble()
        self.count = try decoder.readDouble()
        self.sliceNanos = try decoder.readUInt64()
        self.bufferCapacity = Int(try decoder.readUInt32())
        self.head = Int(try decoder.readUInt32())
        self.headEndsAt = try decoder.readDeadline()
        let sliceCount = try decoder.readCount(elementBytes: 4 + 4 + 24)
        guard self.sliceNanos > 0, sliceCount > 0, sliceCount <= Self.restoreLimit, self.head < sliceCount,
            self.bufferCapacity >= 16, self.bufferCapacity <= Self.restoreLimit
        else { throw .invalidValue }
        self.slices = []
        self.slices.reserveCapacity(sliceCount)
        for _ in 0..<sliceCount {
            let values = try decoder.readDoubles()
            let weights = try decoder.readDoubles()
            guard values.count == weights.count else { throw .invalidValue }
            self.slices.append(
                Slice(
                    values: values, weights: weights.allSatisfy { $0 == 1 } ? [] : weights,
                    sketch: try LogSketch(decoding: &decoder)))
        }
    }
}

/// A mergeable log-bucketed sketch (DDSketch-style) with about 0.5 % relative error.
package struct LogSketch: Sendable {
    private static let gamma = 1.01
    private static let logGamma = log(gamma)
    private var positive: [Int32: Double] = [:]
    private var negative: [Int32: Double] = [:]
    private var zero = 0.0
    package private(set) var totalWeight = 0.0

    package init() {}

    package var isEmpty: Bool { self.totalWeight == 0 }

    package mutating func add(_ value: Double, weight: Double) {
        self.totalWeight += weight
        if value.isNaN { return }
        if value == 0 || abs(value) < 1e-300 {
            self.zero += weight
        } else if value > 0 {
            self.positive[Self.key(value), default: 0] += weight
        } else {
            self.negative[Self.key(-value), default: 0] += weight
        }
    }

    package mutating func merge(_ other: LogSketch) {
        self.totalWeight += other.totalWeight
        self.zero += other.zero
        for (key, weight) in other.positive { self.positive[key, default: 0] += weight }
        for (key, weight) in other.negative { self.negative[key, default: 0] += weight }
    }

    package func quantile(_ q: Double) -> Double {
        if self.totalWeight == 0 { return .nan }
        let rank = q * self.totalWeight
        var seen = 0.0
        for key in self.negative.keys.sorted(by: >) {
            seen += self.negative[key]!
            if seen >= rank { return -Self.value(key) }
        }
        seen += self.zero
        if seen >= rank { return 0 }
        let keys = self.positive.keys.sorted()
        for key in keys {
            seen += self.positive[key]!
            if seen >= rank { return Self.value(key) }
        }
        return keys.last.map(Self.value) ?? 0
    }

    private static func key(_ value: Double) -> Int32 {
        Int32(clamping: Int((log(value) / logGamma).rounded(.up)))
    }

    private static func value(_ key: Int32) -> Double {
        2 * pow(gamma, Double(key)) / (gamma + 1)
    }

    func encode(into encoder: inout SnapshotEncoder) {
        encoder.write(self.positive)
        encoder.write(self.negative)
        encoder.write(self.zero)
        encoder.write(self.totalWeight)
    }

    init(decoding decoder: inout SnapshotDecoder) throws(SnapshotFailure) {
        self.positive = try decoder.readBuckets()
        self.negative = try decoder.readBuckets()
        self.zero = try decoder.readDouble()
        self.totalWeight = try decoder.readDouble()
    }
}
