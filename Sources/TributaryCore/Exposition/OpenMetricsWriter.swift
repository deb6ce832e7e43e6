/// Writes the OpenMetrics 1.0 text format: `# TYPE`/`# UNIT`/`# HELP`, counters as `<family>_total` with `_created`,
/// histograms and summaries with `_created`, exemplars on counters and histogram buckets, `# EOF` at the end.
///
/// A counter stored as `requests_total` is the family `requests` (OpenMetrics names the family without the suffix)
/// with the sample `requests_total`; one stored as `requests` gets the same exposition. Under
/// `escaping=allow-utf-8` families keep the input's spelling (``FamilyHeader/originalName``), quoted inside the
/// braces when outside the legacy character set (`{"my.requests_total",code="200"} 1`).
///
/// ```swift
/// var writer = OpenMetricsWriter(escaping: negotiated.escaping)
/// shard.visit(&writer, now: now)
/// SelfMetricsWriter.write(snapshot, into: &writer)
/// let body = writer.finish()
/// ```
package struct OpenMetricsWriter: ExpositionSink {
    package private(set) var bytes: [UInt8]
    private let escaping: NameEscaping
    /// The current family's exposed name (without `_total` for counters) and whether it must be quoted.
    private var name = ""
    private var quoted = false

    package init(escaping: NameEscaping = .underscores, reusing bytes: [UInt8] = []) {
        self.bytes = bytes
        self.bytes.removeAll(keepingCapacity: true)
        self.escaping = escaping
    }

    /// Appends `# EOF` and returns the body.
    package mutating func finish() -> [UInt8] {
        self.bytes.append(contentsOf: "# EOF\n".utf8)
        return self.bytes
    }

    package mutating func beginFamily(_ header: FamilyHeader) {
        var name = header.exposedName(self.escaping)
        if header.storage == .counter && name.hasSuffix("_total") { name.removeLast("_total".count) }
        self.name = name
        self.quoted = !MetricNameEscaping.isValidMetricName(name)
        let type = header.storage.prometheusType
        self.bytes.append(contentsOf: "# TYPE ".utf8)
        self.appendFamilyName()
        self.bytes.append(UInt8(ascii: " "))
        self.bytes.append(contentsOf: type.utf8)
        // OpenMetrics requires a family with a unit to end in `_<unit>`; Prometheus rejects the scrape otherwise.
        if let unit = header.unit, name.hasSuffix("_" + unit) {
            self.bytes.append(contentsOf: "\n# UNIT ".utf8)
            self.appendFamilyName()
            self.bytes.append(UInt8(ascii: " "))
            self.bytes.append(contentsOf: unit.utf8)
        }
        self.bytes.append(contentsOf: "\n# HELP ".utf8)
        self.appendFamilyName()
        self.bytes.append(UInt8(ascii: " "))
        for byte in header.help.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): self.bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): self.bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\""): self.bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            default: self.bytes.append(byte)
            }
        }
        self.bytes.append(UInt8(ascii: "\n"))
    }

    package mutating func counter(labelText: String, value: Double, createdSeconds: Double?, exemplar: Exemplar?) {
        self.appendSampleStart(suffix: "_total", labelText: labelText)
        TextFormat.appendValue(value, to: &self.bytes)
        if let exemplar { self.appendExemplar(exemplar) }
        self.bytes.append(UInt8(ascii: "\n"))
        self.appendCreated(labelText: labelText, createdSeconds)
    }

    package mutating func gauge(labelText: String, value: Double) {
        self.appendSampleStart(suffix: "", labelText: labelText)
        TextFormat.appendValue(value, to: &self.bytes)
        self.bytes.append(UInt8(ascii: "\n"))
    }

    package mutating func summary(
        labelText: String, quantiles: [Double], values: [Double], sum: Double, count: Double, createdSeconds: Double?
    ) {
        for (quantile, value) in zip(quantiles, values) {
            self.appendSampleStart(suffix: "", labelText: labelText, extraLabel: "quantile", extraValue: quantile)
            TextFormat.appendValue(value, to: &self.bytes)
            self.bytes.append(UInt8(ascii: "\n"))
        }
        self.appendSampleStart(suffix: "_sum", labelText: labelText)
        TextFormat.appendValue(sum, to: &self.bytes)
        self.bytes.append(UInt8(ascii: "\n"))
        self.appendSampleStart(suffix: "_count", labelText: labelText)
        TextFormat.appendValue(count, to: &self.bytes)
        self.bytes.append(UInt8(ascii: "\n"))
        self.appendCreated(labelText: labelText, createdSeconds)
    }

    package mutating func histogram(labelText: String, bounds: [Double], state: HistogramState, createdSeconds: Double?) {
        var cumulative = 0.0
        for (index, weight) in state.counts.enumerated() {
            cumulative += weight
            let bound = index < bounds.count ? bounds[index] : .infinity
            self.appendSampleStart(suffix: "_bucket", labelText: labelText, extraLabel: "le", extraValue: bound)
            TextFormat.appendValue(cumulative, to: &self.bytes)
            if index < state.exemplars.count, let exemplar = state.exemplars[index] { self.appendExemplar(exemplar) }
            self.bytes.append(UInt8(ascii: "\n"))
        }
        self.appendSampleStart(suffix: "_count", labelText: labelText)
        TextFormat.appendValue(state.count, to: &self.bytes)
        self.bytes.append(UInt8(ascii: "\n"))
        // OpenMetrics forbids `_sum` on histograms with negative buckets (the sum is then no counter).
        if !(bounds.first.map { $0 < 0 } ?? false) {
            self.appendSampleStart(suffix: "_sum", labelText: labelText)
            TextFormat.appendValue(state.sum, to: &self.bytes)
            self.bytes.append(UInt8(ascii: "\n"))
        }
        self.appendCreated(labelText: labelText, createdSeconds)
    }

    // MARK: - Pieces

    private mutating func appendFamilyName() {
        if self.quoted {
            self.bytes.append(UInt8(ascii: "\""))
            TextFormat.appendEscapedLabelValue(self.name, to: &self.bytes)
            self.bytes.append(UInt8(ascii: "\""))
        } else {
            self.bytes.append(contentsOf: self.name.utf8)
        }
    }

    /// `name_suffix{labels,extra="v"} ` (a quoted name goes first inside the braces).
    private mutating func appendSampleStart(
        suffix: String, labelText: String, extraLabel: String? = nil, extraValue: Double = 0
    ) {
        if self.quoted {
            self.bytes.append(contentsOf: "{\"".utf8)
            TextFormat.appendEscapedLabelValue(self.name, to: &self.bytes)
            self.bytes.append(contentsOf: suffix.utf8)
            self.bytes.append(UInt8(ascii: "\""))
            if !labelText.isEmpty || extraLabel != nil { self.bytes.append(UInt8(ascii: ",")) }
        } else {
            self.bytes.append(contentsOf: self.name.utf8)
            self.bytes.append(contentsOf: suffix.utf8)
            if labelText.isEmpty && extraLabel == nil {
                self.bytes.append(UInt8(ascii: " "))
                return
            }
            self.bytes.append(UInt8(ascii: "{"))
        }
        self.bytes.append(contentsOf: labelText.utf8)
        if let extraLabel {
            if !labelText.isEmpty { self.bytes.append(UInt8(ascii: ",")) }
            self.bytes.append(contentsOf: extraLabel.utf8)
            self.bytes.append(contentsOf: "=\"".utf8)
            Self.appendFloat(extraValue, to: &self.bytes)
            self.bytes.append(UInt8(ascii: "\""))
        }
        self.bytes.append(contentsOf: "} ".utf8)
    }

    private mutating func appendCreated(labelText: String, _ createdSeconds: Double?) {
        guard let createdSeconds else { return }
        self.appendSampleStart(suffix: "_created", labelText: labelText)
        TextFormat.appendValue(createdSeconds, to: &self.bytes)
        self.bytes.append(UInt8(ascii: "\n"))
    }

    /// ` # {trace_id="…",span_id="…"} value timestamp`.
    private mutating func appendExemplar(_ exemplar: Exemplar) {
        self.bytes.append(contentsOf: " # {".utf8)
        for (index, label) in exemplar.labels.enumerated() {
            if index > 0 { self.bytes.append(UInt8(ascii: ",")) }
            self.bytes.append(contentsOf: label.name.utf8)
            self.bytes.append(contentsOf: "=\"".utf8)
            TextFormat.appendEscapedLabelValue(label.value, to: &self.bytes)
            self.bytes.append(UInt8(ascii: "\""))
        }
        self.bytes.append(contentsOf: "} ".utf8)
        TextFormat.appendValue(exemplar.value, to: &self.bytes)
        self.bytes.append(UInt8(ascii: " "))
        TextFormat.appendValue(exemplar.timestampSeconds, to: &self.bytes)
    }

    /// A bound or quantile the way client_golang's OpenMetrics encoder writes it: always with a fraction or exponent
    /// (`1.0`, `0.25`, `1e-05`), `+Inf`/`-Inf`/`NaN` as such.
    package static func appendFloat(_ value: Double, to bytes: inout [UInt8]) {
        let start = bytes.count
        TextFormat.appendValue(value, to: &bytes)
        if value.isFinite && !bytes[start...].contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") }) {
            bytes.append(contentsOf: ".0".utf8)
        }
    }
}
