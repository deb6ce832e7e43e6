/// A classic histogram series: per-bucket (non-cumulative) weights, cumulated when written.
///
/// Weights are `Double` because a sampled observation (`|@0.1`) counts as 1/rate observations.
package struct HistogramState: Sendable {
    /// `counts[i]` is the weight of observations in (bounds[i-1], bounds[i]]; the last entry is (last bound, +Inf].
    package private(set) var counts: [Double]
    package private(set) var sum: Double = 0
    package private(set) var count: Double = 0

    package init(bucketCount: Int) {
        self.counts = Array(repeating: 0, count: bucketCount + 1)
    }

    /// Adds `weight` observations of `value`; `bounds` are the family's upper bounds.
    @inline(__always)
    package mutating func observe(_ value: Double, weight: Double, bounds: [Double]) {
        var index = 0
        let n = bounds.count
        // `!(value <= bound)` so that NaN lands in +Inf, as in client_golang.
        while index < n && !(value <= bounds[index]) { index += 1 }
        self.counts[index] += weight
        self.sum += value * weight
        self.count += weight
    }
}
