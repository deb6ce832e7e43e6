extension ShardState {
    /// The slow path for a StatsD line, once per new line shape: tags → labels, then ``route(tags:request:now:)``.
    mutating func resolveRoute(type: StatsDType, line: UnsafeRawBufferPointer, layout: StatsDLineLayout, now: UInt64) -> Route {
        let nameSection = UnsafeRawBufferPointer(rebasing: line[layout.nameSectionStart..<layout.nameSectionEnd])
        let dogTags = layout.hasDogTags ? UnsafeRawBufferPointer(rebasing: line[layout.dogTagsStart..<layout.dogTagsEnd]) : nil
        switch LineShape.resolveTags(nameSection: nameSection, dogTags: dogTags, dialects: self.settings.dialects) {
        case .success(let tags):
            var route = self.route(tags: tags, request: RouteRequest(type: type), now: now)
            route.tagErrors = UInt32(tags.tagErrors)
            return route
        case .failure(let failure):
            return Route(kind: .failure(failure), multiplier: 1, tagErrors: 0, hasTags: false, unmapped: false)
        }
    }

    /// The JSON feed's slow path: name and labels come typed, straight from the object.
    mutating func route(name: String, labels: [(name: String, value: String)], request: RouteRequest, now: UInt64) -> Route {
        let tags = StatsDTagParser.Resolved(name: name, labels: labels, tagErrors: 0, hasNameTags: false)
        return self.route(tags: tags, request: request, now: now)
    }

    /// Routing shared by StatsD and the JSON feed once name, labels and type are known: mapping and
    /// label merge (``LineShape``), family (type-conflict rules) and series.
    private mutating func route(tags: StatsDTagParser.Resolved, request: RouteRequest, now: UInt64) -> Route {
        var route = Route(kind: .drop, multiplier: 1, tagErrors: 0, hasTags: !tags.labels.isEmpty, unmapped: false)
        let shape = LineShape(
            type: request.type, tags: tags, mapper: self.mapper, storage: request.storage, useMapping: request.useMapping)
        let outcome = shape.outcome
        route.unmapped = outcome.ruleIndex == nil
        if route.unmapped {
            route.unmappedEntry = self.unmappedNames.record(
                name: tags.name, type: request.type, prometheusName: outcome.name, now: now)
        }
        if outcome.action == .drop {
            route.kind = .drop
            return route
        }
        route.divisor = shape.divisor
        route.multiplier = shape.multiplier
        if let failure = self.labelLimitFailure(shape.labelPairs) {
            route.kind = .failure(failure)
            return route
        }
        // A new metric name beyond the overall budget: there is no family to fold into, so even `fold` drops.
        if self.familyByName[outcome.name] == nil && self.overallBudgetReached {
            route.kind = .limited(name: self.limitedNameIndex(outcome.name))
            return route
        }
        let originalName = route.unmapped && tags.name != outcome.name ? tags.name : nil
        guard
            let family = self.family(
                named: outcome.name, originalName: originalName, storage: shape.storage, outcome: outcome,
                request: request)
        else {
            route.kind = .conflict(name: self.conflictNameIndex(outcome.name))
            return route
        }
        route.kind = self.seriesRoute(
            in: family, labels: shape.labelPairs, ttlSeconds: outcome.ttlSeconds,
            perMetricLimit: outcome.maxSeriesPerMetric ?? self.settings.limits.maxSeriesPerMetric, now: now)
        return route
    }

    /// The reason `labels` break `--limits.max-labels` or `--limits.max-label-value-bytes`, if they do.
    private func labelLimitFailure(_ labels: [(name: String, value: String)]) -> ParseFailure? {
        let limits = self.settings.limits
        if limits.maxLabels > 0 && labels.count > limits.maxLabels { return .tooManyLabels }
        if limits.maxLabelValueBytes > 0 && labels.contains(where: { $0.value.utf8.count > limits.maxLabelValueBytes }) {
            return .labelValueTooLong
        }
        return nil
    }

    /// Whether `--limits.max-series` live series exist already.
    private var overallBudgetReached: Bool {
        self.settings.limits.maxSeries > 0 && self.liveSeriesCount >= self.settings.limits.maxSeries
    }

    /// The existing series for `labels`, a new one if the budgets allow, else the overflow route.
    private mutating func seriesRoute(
        in familyID: Int32, labels: [(name: String, value: String)], ttlSeconds: Double, perMetricLimit: Int, now: UInt64
    ) -> Route.Kind {
        let labelText = Self.renderLabels(labels)
        if let existing = self.families[Int(familyID)].seriesByLabels[labelText] { return .apply(series: existing) }
        let limits = self.settings.limits
        let perMetricReached = perMetricLimit > 0 && self.families[Int(familyID)].series.count >= perMetricLimit
        guard perMetricReached || self.overallBudgetReached else {
            return .apply(series: self.series(in: familyID, labelText: labelText, ttlSeconds: ttlSeconds, now: now))
        }
        let name = self.limitedNameIndex(self.families[Int(familyID)].name)
        switch limits.overflow {
        case .drop:
            return .limited(name: name)
        case .fold:
            let overflowText = Self.renderLabels([SeriesLimits.overflowLabel])
            let overflow =
                self.families[Int(familyID)].seriesByLabels[overflowText]
                ?? self.series(in: familyID, labelText: overflowText, ttlSeconds: ttlSeconds, now: now)
            return .folded(series: overflow, name: name)
        }
    }

    /// Index of `name` in `conflictNames`, the metric names conflict routes count under.
    private mutating func conflictNameIndex(_ name: String) -> Int32 {
        if let index = self.conflictNameIndices[name] { return index }
        self.conflictNames.append(name)
        let index = Int32(self.conflictNames.count - 1)
        self.conflictNameIndices[name] = index
        return index
    }

    /// The `conflictNames` index a limited sample of `name` counts under: the name itself while fewer than
    /// ``SeriesLimits/limitedNamesLimit`` names are listed, else ``SeriesLimits/otherMetricName``.
    private mutating func limitedNameIndex(_ name: String) -> Int32 {
        var label = name
        if self.counts.seriesLimited[name] == nil {
            if self.counts.seriesLimited.count >= self.settings.limits.limitedNamesLimit {
                label = SeriesLimits.otherMetricName
            }
            self.counts.seriesLimited[label, default: 0] += 0
        }
        return self.conflictNameIndex(label)
    }

    /// The family for `name`, created if new; nil when the name is taken by another type, collides
    /// with a summary's or histogram's `_sum`/`_count`/`_bucket` series, or is in Tributary's reserved
    /// `tributary_` namespace (its own self-metrics).
    private mutating func family(
        named name: String, originalName: String?, storage: StorageKind, outcome: MappingOutcome, request: RouteRequest
    ) -> Int32? {
        if let existing = self.familyByName[name] {
            return self.families[Int(existing)].storage == storage ? existing : nil
        }
        if name.hasPrefix(Self.reservedPrefix) { return nil }
        if self.suffixCollision(name: name, storage: storage) != nil { return nil }
        var family = Family(
            name: name,
            storage: storage,
            help: outcome.help ?? request.help ?? self.settings.defaultHelp,
            bounds: request.buckets ?? outcome.histogramOptions.buckets,
            summaryOptions: outcome.summaryOptions
        )
        family.originalName = originalName
        let factor = outcome.histogramOptions.nativeBucketFactor
        if storage == .histogram && factor > 1 {
            family.nativeSchema = NativeHistogramState.schema(forFactor: factor)
            family.nativeMaxBuckets = max(0, outcome.histogramOptions.nativeMaxBuckets)
        }
        let id = Int32(self.families.count)
        self.families.append(family)
        self.familyByName[name] = id
        self.familiesSorted = false
        return id
    }

    /// Metric names Tributary keeps for its own self-metrics; input cannot create them.
    static let reservedPrefix = "tributary_"

    /// The family a new name would collide with through the reserved suffixes, if any.
    func suffixCollision(name: String, storage: StorageKind) -> Int32? {
        let observerSuffixes = ["_sum", "_count", "_bucket"]
        if storage == .summary || storage == .histogram {
            for suffix in observerSuffixes {
                if suffix == "_bucket" && storage == .summary { continue }
                if let other = self.familyByName[name + suffix] { return other }
            }
        }
        for suffix in observerSuffixes where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if let other = self.familyByName[base] {
                let kind = self.families[Int(other)].storage
                if kind == .histogram || (kind == .summary && suffix != "_bucket") { return other }
            }
        }
        return nil
    }

    /// A new series of `family` with this rendered label text.
    private mutating func series(in familyID: Int32, labelText: String, ttlSeconds: Double, now: UInt64) -> Int32 {
        let storage = self.families[Int(familyID)].storage
        let slot = self.allocateSlot(storage: storage, family: familyID, now: now)
        let record = Series(
            family: familyID, labelText: labelText, slot: slot, lastUpdate: now,
            createdSeconds: self.wallClockSeconds(now), ttlNanos: ttlSeconds > 0 ? UInt64(ttlSeconds * 1e9) : 0,
            alive: true)
        let id: Int32
        if let free = self.freeSeries.popLast() {
            id = free
            self.series[Int(id)] = record
        } else {
            id = Int32(self.series.count)
            self.series.append(record)
        }
        self.families[Int(familyID)].seriesByLabels[labelText] = id
        self.families[Int(familyID)].series.append(id)
        self.families[Int(familyID)].sorted = false
        return id
    }

    private mutating func allocateSlot(storage: StorageKind, family: Int32, now: UInt64) -> Int32 {
        let reused = self.freeSlots[storage.rawValue].popLast()
        switch storage {
        case .counter:
            if let reused {
                self.counterValues[Int(reused)] = 0
                self.counterExemplars[Int(reused)] = nil
                return reused
            }
            self.counterValues.append(0)
            self.counterExemplars.append(nil)
            return Int32(self.counterValues.count - 1)
        case .gauge:
            if let reused { self.gaugeValues[Int(reused)] = 0; return reused }
            self.gaugeValues.append(0)
            return Int32(self.gaugeValues.count - 1)
        case .set:
            let state = SetState(windowNanos: UInt64(self.settings.setWindowSeconds * 1e9), now: now)
            if let reused { self.sets[Int(reused)] = state; return reused }
            self.sets.append(state)
            return Int32(self.sets.count - 1)
        case .summary:
            let state = SummaryState(options: self.families[Int(family)].summaryOptions, now: now)
            if let reused { self.summaries[Int(reused)] = state; return reused }
            self.summaries.append(state)
            return Int32(self.summaries.count - 1)
        case .histogram:
            let options = self.families[Int(family)]
            let native = options.nativeSchema.map {
                NativeHistogramState(schema: $0, maxBuckets: options.nativeMaxBuckets)
            }
            let state = HistogramState(bucketCount: options.bounds.count, native: native)
            if let reused { self.histograms[Int(reused)] = state; return reused }
            self.histograms.append(state)
            return Int32(self.histograms.count - 1)
        }
    }

    /// `k="v",k2="v2"` with names sorted and values escaped as the text format requires.
    static func renderLabels(_ labels: [(name: String, value: String)]) -> String {
        if labels.isEmpty { return "" }
        var bytes: [UInt8] = []
        for (index, label) in labels.sorted(by: { $0.name < $1.name }).enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: label.name.utf8)
            bytes.append(contentsOf: "=\"".utf8)
            TextFormat.appendEscapedLabelValue(label.value, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// What a listener knows about a new series besides its name and labels.
struct RouteRequest {
    /// The type mapping rules match against (`match_metric_type`); also decides `ms` → seconds.
    var type: StatsDType
    /// Storage fixed by the sample itself (JSON `histogram`/`summary`); nil lets the mapping decide observers.
    var storage: StorageKind?
    /// `# HELP` for a new family when the mapping gives none.
    var help: String?
    /// Histogram bounds for a new family, overriding the mapping's.
    var buckets: [Double]?
    /// False skips the mapping rules (unmapped defaults: escaped name, default options).
    var useMapping = true
}
