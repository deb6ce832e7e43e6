extension ShardState {
    /// Applies every line of a datagram (or a chunk of complete stream lines).
    ///
    /// Hot path: for a series already seen, this hashes the raw key and updates a value in place,
    /// without allocating.
    package mutating func apply(lines bytes: UnsafeRawBufferPointer, now: UInt64) {
        let parser = StatsDLineParser(dialects: self.settings.dialects)
        StatsDLineParser.forEachLine(in: bytes) { line in
            self.counts.lines += 1
            if line.count > self.settings.maxLineBytes {
                self.counts.sampleErrors[ParseFailure.lineTooLong.rawValue] += 1
                self.rejected.record(ParseFailure.lineTooLong, line: line)
                return
            }
            switch StatsDLineParser.kind(of: line) {
            case .metric:
                parser.parse(
                    line: line,
                    onSample: { sample, layout in self.apply(sample: sample, line: line, layout: layout, now: now) },
                    onFailure: { failure in
                        self.counts.sampleErrors[failure.rawValue] += 1
                        self.rejected.record(failure, line: line)
                    }
                )
            case .dogStatsDEvent:
                self.counts.dogStatsDEvents += 1
            case .dogStatsDServiceCheck:
                self.counts.dogStatsDServiceChecks += 1
            case .empty:
                break
            }
        }
    }

    /// Counts a line rejected before parsing (too long for a stream listener).
    package mutating func countRejectedLine(_ failure: ParseFailure) {
        self.counts.lines += 1
        self.counts.sampleErrors[failure.rawValue] += 1
    }

    @inline(__always)
    private mutating func apply(sample: StatsDSample, line: UnsafeRawBufferPointer, layout: StatsDLineLayout, now: UInt64) {
        self.counts.samples += 1
        // Checked before routing, so a counter whose only samples are negative creates no series
        // (statsd_exporter rejects the event before it touches the registry).
        if sample.type == .counter && !(sample.value >= 0) {
            self.counts.sampleErrors[ParseFailure.negativeCounter.rawValue] += 1
            return
        }
        let routeIndex = self.routeIndex(type: sample.type, line: line, layout: layout, now: now)
        let route = self.routes[Int(routeIndex)]
        if route.hasTags { self.counts.linesWithTags += 1 }
        self.counts.tagErrors &+= UInt64(route.tagErrors)
        switch route.kind {
        case .apply(let seriesID):
            self.counts.countEvent(sample.type.matchClass)
            if route.unmapped {
                self.counts.unmapped += 1
                if route.unmappedEntry >= 0 { self.unmappedNames.countSample(entry: route.unmappedEntry) }
            }
            self.update(series: seriesID, sample: sample, divisor: route.divisor, multiplier: route.multiplier, now: now)
        case .drop:
            self.counts.dropped += 1
        case .conflict(let family):
            self.counts.sampleErrors[ParseFailure.typeConflict.rawValue] += 1
            self.rejected.record(ParseFailure.typeConflict, line: line)
            self.counts.conflicts[self.conflictName(family), default: 0] += 1
        case .limited(let name):
            self.counts.seriesLimited[self.conflictName(name), default: 0] += 1
        case .folded(let seriesID, let name):
            self.counts.seriesLimited[self.conflictName(name), default: 0] += 1
            self.counts.countEvent(sample.type.matchClass)
            if route.unmapped {
                self.counts.unmapped += 1
                if route.unmappedEntry >= 0 { self.unmappedNames.countSample(entry: route.unmappedEntry) }
            }
            self.update(series: seriesID, sample: sample, divisor: route.divisor, multiplier: route.multiplier, now: now)
        case .failure(let failure):
            self.counts.sampleErrors[failure.rawValue] += 1
            self.rejected.record(failure, line: line)
        case .jsonFailure:
            self.counts.sampleErrors[ParseFailure.malformedLine.rawValue] += 1
        }
    }

    @inline(__always)
    mutating func update(
        series seriesID: Int32, sample: StatsDSample, divisor: Double, multiplier: Double, now: UInt64
    ) {
        let slot = Int(self.series[Int(seriesID)].slot)
        let storage = self.families[Int(self.series[Int(seriesID)].family)].storage
        switch storage {
        case .counter:
            self.counterValues[slot] += sample.value / sample.sampleRate
        case .gauge:
            if sample.relative {
                self.gaugeValues[slot] += sample.value
            } else {
                self.gaugeValues[slot] = sample.value
            }
        case .set:
            self.sets[slot].add(memberHash: sample.memberHash, now: now)
        case .summary:
            self.summaries[slot].observe(sample.value / divisor * multiplier, weight: 1 / sample.sampleRate, now: now)
        case .histogram:
            let family = Int(self.series[Int(seriesID)].family)
            self.histograms[slot].observe(
                sample.value / divisor * multiplier, weight: 1 / sample.sampleRate, bounds: self.families[family].bounds)
        }
        self.series[Int(seriesID)].lastUpdate = now
    }

    /// Finds the cached route for this line shape, or resolves and caches it. The key — type, name section, DogStatsD
    /// tags — is hashed and compared where it lies in the datagram.
    @inline(__always)
    private mutating func routeIndex(type: StatsDType, line: UnsafeRawBufferPointer, layout: StatsDLineLayout, now: UInt64) -> Int32 {
        let key = RawKeyTable.SegmentedKey(
            prefix: type.rawValue,
            name: UnsafeRawBufferPointer(rebasing: line[layout.nameSectionStart..<layout.nameSectionEnd]),
            tags: layout.hasDogTags ? UnsafeRawBufferPointer(rebasing: line[layout.dogTagsStart..<layout.dogTagsEnd]) : nil)
        return self.cachedRouteIndex(key) { $0.resolveRoute(type: type, line: line, layout: layout, now: now) }
    }

    /// The cached route for `key`, or the one `resolve` computes, cached under that key.
    @inline(__always)
    mutating func cachedRouteIndex(_ key: RawKeyTable.SegmentedKey, _ resolve: (inout ShardState) -> Route) -> Int32 {
        let hash = key.hash
        if let found = self.routeTable.find(key, hash: hash) { return found }
        if self.routes.count >= self.routeCacheLimit { self.clearRoutes() }
        let route = resolve(&self)
        let index = Int32(self.routes.count)
        self.routes.append(route)
        self.routeTable.insert(key, hash: hash, value: index)
        return index
    }

    /// The metric name a conflict route counts under.
    func conflictName(_ index: Int32) -> String {
        self.conflictNames[Int(index)]
    }
}
