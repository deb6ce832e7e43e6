extension ShardState {
    /// The slow path, once per new line shape: tags → labels, mapping, family and series lookup.
    mutating func resolveRoute(type: StatsDType, line: UnsafeRawBufferPointer, layout: StatsDLineLayout, now: UInt64) -> Route {
        var route = Route(kind: .drop, multiplier: 1, tagErrors: 0, hasTags: false, unmapped: false)
        let tagParser = StatsDTagParser(dialects: self.settings.dialects)
        let nameSection = UnsafeRawBufferPointer(rebasing: line[layout.nameSectionStart..<layout.nameSectionEnd])
        let dogTags = layout.hasDogTags ? UnsafeRawBufferPointer(rebasing: line[layout.dogTagsStart..<layout.dogTagsEnd]) : nil
        guard let resolved = tagParser.resolve(nameSection: nameSection, dogTags: dogTags) else {
            route.kind = .failure(.malformedLine)
            return route
        }
        if resolved.hasNameTags && layout.hasDogTags {
            route.kind = .failure(.mixedTaggingStyles)
            return route
        }
        if resolved.name.isEmpty {
            route.kind = .failure(.malformedLine)
            return route
        }
        route.tagErrors = UInt32(resolved.tagErrors)
        route.hasTags = !resolved.labels.isEmpty

        let request = RouteRequest(type: type)
        let named = self.route(name: resolved.name, labels: resolved.labels, request: request, now: now)
        route.kind = named.kind
        route.multiplier = named.multiplier
        route.unmapped = named.unmapped
        return route
    }

    /// The part of routing shared by StatsD and the JSON feed, once name, labels and type are known:
    /// mapping, label merge, family (type-conflict rules) and series.
    mutating func route(name: String, labels: [(name: String, value: String)], request: RouteRequest, now: UInt64) -> Route {
        var route = Route(kind: .drop, multiplier: 1, tagErrors: 0, hasTags: false, unmapped: false)
        let outcome = request.useMapping ? self.mapper.map(name: name, type: request.type) : self.mapper.unmappedOutcome(name: name)
        route.unmapped = outcome.ruleIndex == nil
        if outcome.action == .drop {
            route.kind = .drop
            return route
        }
        let storage: StorageKind
        if let fixed = request.storage {
            storage = fixed
        } else {
            switch request.type {
            case .counter: storage = .counter
            case .gauge: storage = .gauge
            case .set: storage = .set
            case .timer, .histogram, .distribution: storage = outcome.observerType == .histogram ? .histogram : .summary
            }
        }
        if storage == .summary || storage == .histogram {
            route.multiplier = (request.type == .timer ? 0.001 : 1) * outcome.scale
        }

        var labels = labels
        for label in outcome.labels {
            if let existing = labels.firstIndex(where: { $0.name == label.name }) {
                if !outcome.honorLabels { labels[existing].value = label.value }
            } else {
                labels.append(label)
            }
        }
        guard let family = self.family(named: outcome.name, storage: storage, outcome: outcome, request: request) else {
            route.kind = .conflict(family: self.familyByName[outcome.name] ?? self.conflictingFamily(outcome.name))
            return route
        }
        let seriesID = self.series(in: family, labels: labels, ttlSeconds: outcome.ttlSeconds, now: now)
        route.kind = .apply(series: seriesID)
        return route
    }

    /// The family for `name`, created if new; nil when the name is taken by another type or collides
    /// with a summary's or histogram's `_sum`/`_count`/`_bucket` series.
    private mutating func family(named name: String, storage: StorageKind, outcome: MappingOutcome, request: RouteRequest) -> Int32? {
        if let existing = self.familyByName[name] {
            return self.families[Int(existing)].storage == storage ? existing : nil
        }
        if self.suffixCollision(name: name, storage: storage) != nil { return nil }
        let family = Family(
            name: name,
            storage: storage,
            help: outcome.help ?? request.help ?? self.settings.defaultHelp,
            bounds: request.buckets ?? outcome.histogramOptions.buckets,
            summaryOptions: outcome.summaryOptions
        )
        let id = Int32(self.families.count)
        self.families.append(family)
        self.familyByName[name] = id
        self.familiesSorted = false
        return id
    }

    /// The family a new name would collide with through the reserved suffixes, if any.
    private func suffixCollision(name: String, storage: StorageKind) -> Int32? {
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

    private func conflictingFamily(_ name: String) -> Int32 {
        for storage in [StorageKind.counter, .summary] {
            if let other = self.suffixCollision(name: name, storage: storage) { return other }
        }
        return 0
    }

    /// The series of `family` with these labels, created if new.
    private mutating func series(in familyID: Int32, labels: [(name: String, value: String)], ttlSeconds: Double, now: UInt64) -> Int32 {
        let labelText = Self.renderLabels(labels)
        if let existing = self.families[Int(familyID)].seriesByLabels[labelText] { return existing }
        let storage = self.families[Int(familyID)].storage
        let slot = self.allocateSlot(storage: storage, family: familyID, now: now)
        let record = Series(
            family: familyID, labelText: labelText, slot: slot, lastUpdate: now,
            ttlNanos: ttlSeconds > 0 ? UInt64(ttlSeconds * 1e9) : 0, alive: true)
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
            if let reused { self.counterValues[Int(reused)] = 0; return reused }
            self.counterValues.append(0)
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
            let state = HistogramState(bucketCount: self.families[Int(family)].bounds.count)
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
