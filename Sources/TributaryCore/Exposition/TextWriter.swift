/// Writes the Prometheus text format: 0.0.4, or 1.0.0 with UTF-8 names when the scraper negotiated
/// `escaping=allow-utf-8` (names outside the legacy character set quoted inside the braces:
/// `{"my.requests",code="200"} 1`, and quoted in `# HELP`/`# TYPE`).
///
/// An ``ExpositionSink``: ``SeriesStore/visit(_:now:)`` and the self-metrics writer drive it. Histogram lines are
/// assembled from byte strings rendered once per family (``HistogramLines``), the hot part of large scrapes.
///
/// ```swift
/// var writer = TextWriter(escaping: negotiated.escaping)
/// state.visit(&writer, now: now)
/// SelfMetricsWriter.write(snapshot, into: &writer)
/// let body = writer.bytes
/// ```
package struct TextWriter: ExpositionSink {
    package private(set) var bytes: [UInt8]
    private let escaping: NameEscaping
    /// The current family's exposed name, and whether it must be quoted.
    private var name = ""
    private var quoted = false
    /// Rendered once per family, on its first histogram or summary series.
    private var histogramLines: HistogramLines?
    private var quantileLabels: [String]?

    /// - Parameter bytes: text already written (kept; the writer appends).
    package init(escaping: NameEscaping = .underscores, appendingTo bytes: [UInt8] = []) {
        self.bytes = bytes
        self.escaping = escaping
    }

    package mutating func beginFamily(_ header: FamilyHeader) {
        self.name = header.exposedName(self.escaping)
        self.quoted = self.escaping == .allowUTF8 && !MetricNameEscaping.isValidMetricName(self.name)
        self.histogramLines = nil
        self.quantileLabels = nil
        if !self.quoted {
            TextFormat.appendHeader(name: self.name, help: header.help, type: header.storage.prometheusType, to: &self.bytes)
            return
        }
        self.bytes.append(contentsOf: "# HELP ".utf8)
        self.appendQuotedName(suffix: "")
        self.bytes.append(UInt8(ascii: " "))
        TextFormat.appendEscapedHelp(header.help, to: &self.bytes)
        self.bytes.append(contentsOf: "\n# TYPE ".utf8)
        self.appendQuotedName(suffix: "")
        self.bytes.append(UInt8(ascii: " "))
        self.bytes.append(contentsOf: header.storage.prometheusType.utf8)
        self.bytes.append(UInt8(ascii: "\n"))
    }

    package mutating func counter(labelText: String, value: Double, createdSeconds: Double?, exemplar: Exemplar?) {
        self.sample(suffix: "", labelText: labelText, value: value)
    }

    package mutating func gauge(labelText: String, value: Double) {
        self.sample(suffix: "", labelText: labelText, value: value)
    }

    package mutating func summary(
        labelText: String, quantiles: [Double], values: [Double], sum: Double, count: Double, createdSeconds: Double?
    ) {
        let labels = self.quantileLabels ?? quantiles.map(TextFormat.formatBound)
        self.quantileLabels = labels
        for (label, value) in zip(labels, values) {
            self.sample(suffix: "", labelText: labelText, extraLabel: "quantile", extraValue: label, value: value)
        }
        self.sample(suffix: "_sum", labelText: labelText, value: sum)
        self.sample(suffix: "_count", labelText: labelText, value: count)
    }

    package mutating func histogram(labelText: String, bounds: [Double], state: HistogramState, createdSeconds: Double?) {
        if self.histogramLines == nil {
            self.histogramLines = HistogramLines(name: self.name, quoted: self.quoted, bounds: bounds)
        }
        self.histogramLines!.append(state, labelText: labelText, to: &self.bytes)
    }

    // MARK: - Pieces

    private mutating func sample(
        suffix: String, labelText: String, extraLabel: String? = nil, extraValue: String? = nil, value: Double
    ) {
        if !self.quoted {
            TextFormat.appendSample(
                name: self.name, suffix: suffix, labelText: labelText, extraLabel: extraLabel, extraValue: extraValue,
                value: value, to: &self.bytes)
            return
        }
        self.bytes.append(UInt8(ascii: "{"))
        self.appendQuotedName(suffix: suffix)
        if !labelText.isEmpty {
            self.bytes.append(UInt8(ascii: ","))
            TextFormat.appendUTF8(labelText, to: &self.bytes)
        }
        if let extraLabel, let extraValue {
            self.bytes.append(contentsOf: ",\(extraLabel)=\"\(extraValue)\"".utf8)
        }
        self.bytes.append(contentsOf: "} ".utf8)
        TextFormat.appendValue(value, to: &self.bytes)
        self.bytes.append(UInt8(ascii: "\n"))
    }

    private mutating func appendQuotedName(suffix: String) {
        self.bytes.append(UInt8(ascii: "\""))
        TextFormat.appendEscapedLabelValue(self.name + suffix, to: &self.bytes)
        self.bytes.append(UInt8(ascii: "\""))
    }
}

/// The text lines of one histogram family's series, from byte strings rendered once per family: a bucket line is
/// `name_bucket{` + the series' labels + `le="bound"} ` + the cumulative count, each part one copy. Quoted (UTF-8)
/// names start the braces instead: `{"my.name_bucket",` + labels + `le="bound"} `.
struct HistogramLines {
    private let bucketPrefix: [UInt8]
    private let sumPrefix: [UInt8]
    private let countPrefix: [UInt8]
    private let quoted: Bool
    /// `le="0.005"} ` per bound, then `le="+Inf"} `.
    private let bucketSuffixes: [[UInt8]]
    /// The current series' labels followed by `,` (empty without labels).
    private var labels: [UInt8] = []

    init(name: String, quoted: Bool, bounds: [Double]) {
        self.quoted = quoted
        func prefix(_ suffix: String) -> [UInt8] {
            guard quoted else { return Array((name + suffix).utf8) }
            var bytes = Array("{\"".utf8)
            TextFormat.appendEscapedLabelValue(name + suffix, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
            return bytes
        }
        self.bucketPrefix = quoted ? prefix("_bucket") + [UInt8(ascii: ",")] : prefix("_bucket{")
        self.sumPrefix = prefix("_sum")
        self.countPrefix = prefix("_count")
        self.bucketSuffixes = (bounds.map(TextFormat.formatBound) + ["+Inf"]).map { Array("le=\"\($0)\"} ".utf8) }
        self.labels.reserveCapacity(256)
    }

    mutating func append(_ state: HistogramState, labelText: String, to bytes: inout [UInt8]) {
        self.labels.removeAll(keepingCapacity: true)
        if !labelText.isEmpty {
            self.labels.append(contentsOf: labelText.utf8)
            self.labels.append(UInt8(ascii: ","))
        }
        var cumulative = 0.0
        for (suffix, count) in zip(self.bucketSuffixes, state.counts) {
            cumulative += count
            bytes.append(contentsOf: self.bucketPrefix)
            bytes.append(contentsOf: self.labels)
            bytes.append(contentsOf: suffix)
            TextFormat.appendValue(cumulative, to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        self.appendTotal(self.sumPrefix, value: state.sum, to: &bytes)
        self.appendTotal(self.countPrefix, value: state.count, to: &bytes)
    }

    /// `name_sum{labels} value` (no braces without labels); quoted: `{"name_sum",labels} value`.
    private func appendTotal(_ prefix: [UInt8], value: Double, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: prefix)
        if self.quoted {
            if !self.labels.isEmpty {
                bytes.append(UInt8(ascii: ","))
                bytes.append(contentsOf: self.labels.dropLast())
            }
            bytes.append(UInt8(ascii: "}"))
        } else if !self.labels.isEmpty {
            bytes.append(UInt8(ascii: "{"))
            bytes.append(contentsOf: self.labels.dropLast())
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: " "))
        TextFormat.appendValue(value, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }
}
