extension ShardState {
    /// Sorts families by name and each family's series by label text, if anything changed since the last scrape.
    mutating func sortForExposition() {
        if !self.familiesSorted {
            self.sortedFamilies = self.families.indices.map { Int32($0) }.sorted {
                self.families[Int($0)].name < self.families[Int($1)].name
            }
            self.familiesSorted = true
        }
        for familyID in self.sortedFamilies where !self.families[Int(familyID)].sorted {
            let series = self.series
            self.families[Int(familyID)].series.sort { series[Int($0)].labelText < series[Int($1)].labelText }
            self.families[Int(familyID)].sorted = true
        }
    }

    /// Calls `sink` for every family with live series and each of its series, in the text writer's order.
    ///
    /// Mutating because summaries rotate their window and sort orders are cached.
    package mutating func visit(_ sink: inout some ExpositionSink, now: UInt64) {
        self.sortForExposition()
        var pairs: [(Double, Double)] = []  // summary scratch, reused for every series
        var values: [Double] = []
        for familyID in self.sortedFamilies {
            let family = self.families[Int(familyID)]
            if family.series.isEmpty { continue }
            sink.beginFamily(
                FamilyHeader(
                    name: family.name, originalName: family.originalName, help: family.help, storage: family.storage))
            for id in family.series {
                let series = self.series[Int(id)]
                let slot = Int(series.slot)
                switch family.storage {
                case .counter:
                    sink.counter(
                        labelText: series.labelText, value: self.counterValues[slot],
                        createdSeconds: series.createdSeconds, exemplar: self.counterExemplars[slot])
                case .gauge:
                    sink.gauge(labelText: series.labelText, value: self.gaugeValues[slot])
                case .set:
                    sink.gauge(labelText: series.labelText, value: self.sets[slot].value(now: now))
                case .summary:
                    let objectives = family.summaryOptions.objectives
                    self.summaries[slot].quantiles(objectives, now: now, scratch: &pairs, into: &values)
                    sink.summary(
                        labelText: series.labelText, quantiles: objectives.map(\.quantile), values: values,
                        sum: self.summaries[slot].sum, count: self.summaries[slot].count,
                        createdSeconds: series.createdSeconds)
                case .histogram:
                    sink.histogram(
                        labelText: series.labelText, bounds: family.bounds, state: self.histograms[slot],
                        createdSeconds: series.createdSeconds)
                }
            }
        }
    }
}
