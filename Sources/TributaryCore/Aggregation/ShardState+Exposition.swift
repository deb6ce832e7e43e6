extension ShardState {
    /// Writes every live series in the text format 0.0.4: families sorted by name, series by labels.
    ///
    /// Mutating because summaries rotate their window and sort orders are cached.
    package mutating func writeText(into bytes: inout [UInt8], now: UInt64) {
        self.sortForExposition()
        for familyID in self.sortedFamilies {
            let index = Int(familyID)
            if self.families[index].series.isEmpty { continue }
            self.writeFamily(index, into: &bytes, now: now)
        }
    }

    private mutating func writeFamily(_ index: Int, into bytes: inout [UInt8], now: UInt64) {
        // The fields used, not the whole `Family` (copying it retains a dozen references per family).
        let family = (
            name: self.families[index].name, storage: self.families[index].storage,
            series: self.families[index].series)
        TextFormat.appendHeader(
            name: family.name, help: self.families[index].help, type: family.storage.prometheusType, to: &bytes)
        switch family.storage {
        case .counter:
            for id in family.series {
                let series = self.series[Int(id)]
                TextFormat.appendSample(
                    name: family.name, labelText: series.labelText, value: self.counterValues[Int(series.slot)], to: &bytes)
            }
        case .gauge:
            for id in family.series {
                let series = self.series[Int(id)]
                TextFormat.appendSample(
                    name: family.name, labelText: series.labelText, value: self.gaugeValues[Int(series.slot)], to: &bytes)
            }
        case .set:
            for id in family.series {
                let series = self.series[Int(id)]
                let value = self.sets[Int(series.slot)].value(now: now)
                TextFormat.appendSample(name: family.name, labelText: series.labelText, value: value, to: &bytes)
            }
        case .summary:
            let objectives = self.families[index].summaryOptions.objectives
            let quantileLabels = objectives.map { TextFormat.formatBound($0.quantile) }
            var pairs: [(Double, Double)] = []  // scratch, reused for every series of the family
            var values: [Double] = []
            for id in family.series {
                let series = self.series[Int(id)]
                let slot = Int(series.slot)
                self.summaries[slot].quantiles(objectives, now: now, scratch: &pairs, into: &values)
                for (label, value) in zip(quantileLabels, values) {
                    TextFormat.appendSample(
                        name: family.name, labelText: series.labelText, extraLabel: "quantile", extraValue: label,
                        value: value, to: &bytes)
                }
                TextFormat.appendSample(
                    name: family.name, suffix: "_sum", labelText: series.labelText, value: self.summaries[slot].sum,
                    to: &bytes)
                TextFormat.appendSample(
                    name: family.name, suffix: "_count", labelText: series.labelText, value: self.summaries[slot].count,
                    to: &bytes)
            }
        case .histogram:
            var lines = HistogramLines(name: family.name, bounds: self.families[index].bounds)
            for id in family.series {
                let series = self.series[Int(id)]
                self.histograms.withUnsafeBufferPointer { histograms in
                    lines.append(histograms[Int(series.slot)], labelText: series.labelText, to: &bytes)
                }
            }
        }
    }
}

/// The text lines of one histogram family's series, from byte strings rendered once per family: a bucket line is
/// `name_bucket{` + the series' labels + `le="bound"} ` + the cumulative count, each part one copy.
struct HistogramLines {
    private let bucketPrefix: [UInt8]
    private let sumPrefix: [UInt8]
    private let countPrefix: [UInt8]
    /// `le="0.005"} ` per bound, then `le="+Inf"} `.
    private let bucketSuffixes: [[UInt8]]
    /// The current series' labels followed by `,` (empty without labels).
    private var labels: [UInt8] = []

    init(name: String, bounds: [Double]) {
        self.bucketPrefix = Array((name + "_bucket{").utf8)
        self.sumPrefix = Array((name + "_sum").utf8)
        self.countPrefix = Array((name + "_count").utf8)
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

    /// `name_sum{labels} value` (no braces without labels).
    private func appendTotal(_ prefix: [UInt8], value: Double, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: prefix)
        if !self.labels.isEmpty {
            bytes.append(UInt8(ascii: "{"))
            bytes.append(contentsOf: self.labels.dropLast())
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: " "))
        TextFormat.appendValue(value, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }
}
