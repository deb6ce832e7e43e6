import SwiftProtobuf
import TributaryCore

/// Builds `io.prometheus.client.MetricFamily` messages and writes them in the delimited protobuf format (each message
/// preceded by its length as a varint), the format Prometheus scrapes native histograms in.
///
/// Counts are written as integers (`sample_count`, `cumulative_count`, `*_delta`) while every weight is integral,
/// and as floats (`*_float`, `*_count`) once a sampled observation made one fractional, as client_golang's float
/// histograms do. Counters, summaries and histograms carry `created_timestamp`; counters and classic buckets their
/// exemplar. Under `escaping=allow-utf-8` families keep the input's spelling.
///
/// ```swift
/// var writer = ProtobufWriter(escaping: negotiated.escaping)
/// shard.visit(&writer, now: now)
/// SelfMetricsWriter.write(snapshot, into: &writer)
/// let body = writer.delimitedBytes()
/// ```
struct ProtobufWriter: ExpositionSink {
    private(set) var families: [Io_Prometheus_Client_MetricFamily] = []
    private let escaping: NameEscaping

    init(escaping: NameEscaping = .underscores) {
        self.escaping = escaping
    }

    /// The families, length-delimited, concatenated.
    func delimitedBytes() -> [UInt8] {
        var bytes: [UInt8] = []
        for family in self.families {
            // Serializing a fully built message with only optional and repeated fields cannot fail.
            let message: [UInt8] = (try? family.serializedBytes()) ?? []
            Self.appendVarint(UInt64(message.count), to: &bytes)
            bytes.append(contentsOf: message)
        }
        return bytes
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// The protobuf type of each ``StorageKind``, by raw value (sets are gauges of distinct members).
    private static let metricTypes: [Io_Prometheus_Client_MetricType] = [.counter, .gauge, .gauge, .summary, .histogram]

    mutating func beginFamily(_ header: FamilyHeader) {
        var family = Io_Prometheus_Client_MetricFamily()
        family.name = header.exposedName(self.escaping)
        family.help = header.help
        if let unit = header.unit { family.unit = unit }
        family.type = Self.metricTypes[header.storage.rawValue]
        self.families.append(family)
    }

    private mutating func append(_ metric: Io_Prometheus_Client_Metric) {
        self.families[self.families.count - 1].metric.append(metric)
    }

    mutating func counter(labelText: String, value: Double, createdSeconds: Double?, exemplar: Exemplar?) {
        var metric = Self.metric(labelText)
        metric.counter.value = value
        if let exemplar { metric.counter.exemplar = Self.exemplar(exemplar) }
        if let createdSeconds { metric.counter.createdTimestamp = Self.timestamp(createdSeconds) }
        self.append(metric)
    }

    mutating func gauge(labelText: String, value: Double) {
        var metric = Self.metric(labelText)
        metric.gauge.value = value
        self.append(metric)
    }

    mutating func summary(
        labelText: String, quantiles: [Double], values: [Double], sum: Double, count: Double, createdSeconds: Double?
    ) {
        var metric = Self.metric(labelText)
        metric.summary.sampleCount = UInt64(max(0, count.rounded()))
        metric.summary.sampleSum = sum
        metric.summary.quantile = zip(quantiles, values).map { quantile, value in
            var item = Io_Prometheus_Client_Quantile()
            item.quantile = quantile
            item.value = value
            return item
        }
        if let createdSeconds { metric.summary.createdTimestamp = Self.timestamp(createdSeconds) }
        self.append(metric)
    }

    mutating func histogram(labelText: String, bounds: [Double], state: HistogramState, createdSeconds: Double?) {
        var metric = Self.metric(labelText)
        var histogram = Io_Prometheus_Client_Histogram()
        let native = state.native
        let integral =
            state.counts.allSatisfy(Self.isIntegral)
            && (native.map { n in
                Self.isIntegral(n.zeroCount) && n.positive.values.allSatisfy(Self.isIntegral)
                    && n.negative.values.allSatisfy(Self.isIntegral)
            } ?? true)
        if integral { histogram.sampleCount = UInt64(state.count) } else { histogram.sampleCountFloat = state.count }
        histogram.sampleSum = state.sum
        var cumulative = 0.0
        for (index, weight) in state.counts.enumerated() where index < bounds.count {
            cumulative += weight
            var bucket = Io_Prometheus_Client_Bucket()
            bucket.upperBound = bounds[index]
            if integral { bucket.cumulativeCount = UInt64(cumulative) } else { bucket.cumulativeCountFloat = cumulative }
            if index < state.exemplars.count, let exemplar = state.exemplars[index] {
                bucket.exemplar = Self.exemplar(exemplar)
            }
            histogram.bucket.append(bucket)
        }
        if let native {
            histogram.schema = native.schema
            histogram.zeroThreshold = native.zeroThreshold
            if integral { histogram.zeroCount = UInt64(native.zeroCount) } else { histogram.zeroCountFloat = native.zeroCount }
            let positive = NativeHistogramState.spans(native.positive)
            let negative = NativeHistogramState.spans(native.negative)
            histogram.positiveSpan = positive.spans.map(Self.span)
            histogram.negativeSpan = negative.spans.map(Self.span)
            if integral {
                histogram.positiveDelta = Self.deltas(positive.weights)
                histogram.negativeDelta = Self.deltas(negative.weights)
            } else {
                histogram.positiveCount = positive.weights
                histogram.negativeCount = negative.weights
            }
            if positive.spans.isEmpty && negative.spans.isEmpty && native.zeroCount == 0 {
                // An empty native histogram still needs a span to be told apart from a classic one (client_golang).
                histogram.positiveSpan = [Self.span((offset: 0, length: 0))]
            }
        }
        if let createdSeconds { histogram.createdTimestamp = Self.timestamp(createdSeconds) }
        metric.histogram = histogram
        self.append(metric)
    }

    // MARK: - Pieces

    private static func isIntegral(_ value: Double) -> Bool { value == value.rounded() && value >= 0 && value < 1e18 }

    private static func deltas(_ weights: [Double]) -> [Int64] {
        var previous: Int64 = 0
        return weights.map { weight in
            let count = Int64(weight)
            defer { previous = count }
            return count - previous
        }
    }

    private static func span(_ span: (offset: Int32, length: UInt32)) -> Io_Prometheus_Client_BucketSpan {
        var result = Io_Prometheus_Client_BucketSpan()
        result.offset = span.offset
        result.length = span.length
        return result
    }

    private static func timestamp(_ seconds: Double) -> Google_Protobuf_Timestamp {
        let whole = seconds.rounded(.down)
        return Google_Protobuf_Timestamp(seconds: Int64(whole), nanos: Int32(((seconds - whole) * 1e9).rounded(.down)))
    }

    private static func exemplar(_ exemplar: Exemplar) -> Io_Prometheus_Client_Exemplar {
        var result = Io_Prometheus_Client_Exemplar()
        result.label = exemplar.labels.map { Self.labelPair($0.name, $0.value) }
        result.value = exemplar.value
        result.timestamp = Self.timestamp(exemplar.timestampSeconds)
        return result
    }

    private static func labelPair(_ name: String, _ value: String) -> Io_Prometheus_Client_LabelPair {
        var pair = Io_Prometheus_Client_LabelPair()
        pair.name = name
        pair.value = value
        return pair
    }

    private static func metric(_ labelText: String) -> Io_Prometheus_Client_Metric {
        var metric = Io_Prometheus_Client_Metric()
        metric.label = Self.parseLabels(labelText).map { Self.labelPair($0.name, $0.value) }
        return metric
    }

    /// Splits prerendered `k="v",k2="v2"` text (values escaped with `\\`, `\"`, `\n`) back into pairs.
    static func parseLabels(_ text: String) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let nameStart = index
            while index < bytes.count && bytes[index] != UInt8(ascii: "=") { index += 1 }
            let name = String(decoding: bytes[nameStart..<index], as: UTF8.self)
            index += 2  // `="`
            var value: [UInt8] = []
            while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
                if bytes[index] == UInt8(ascii: "\\") && index + 1 < bytes.count {
                    index += 1
                    value.append(bytes[index] == UInt8(ascii: "n") ? UInt8(ascii: "\n") : bytes[index])
                } else {
                    value.append(bytes[index])
                }
                index += 1
            }
            pairs.append((name, String(decoding: value, as: UTF8.self)))
            index += 2  // `",`
        }
        return pairs
    }
}
