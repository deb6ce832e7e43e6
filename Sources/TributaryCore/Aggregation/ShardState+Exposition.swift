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
            let bounds = self.families[index].bounds.map(TextFormat.formatBound) + ["+Inf"]
            for id in family.series {
                let series = self.series[Int(id)]
                let state = self.histograms[Int(series.slot)]
                var cumulative = 0.0
                for (bound, count) in zip(bounds, state.counts) {
                    cumulative += count
                    TextFormat.appendSample(
                        name: family.name, suffix: "_bucket", labelText: series.labelText, extraLabel: "le",
                        extraValue: bound, value: cumulative, to: &bytes)
                }
                TextFormat.appendSample(
                    name: family.name, suffix: "_sum", labelText: series.labelText, value: state.sum, to: &bytes)
                TextFormat.appendSample(
                    name: family.name, suffix: "_count", labelText: series.labelText, value: state.count, to: &bytes)
            }
        }
    }
}
