extension ShardState {
    /// Applies every line of a JSON feed chunk (complete stream lines, or one datagram).
    ///
    /// Hot path: for a series already seen, the object is scanned once, its raw name and labels bytes are
    /// looked up in the route cache, and the values are applied in place, without allocating.
    package mutating func applyJSON(lines bytes: UnsafeRawBufferPointer, now: UInt64) {
        var scratch = self.jsonScratch
        self.jsonScratch = JSONFeedScratch()
        defer { self.jsonScratch = scratch }
        StatsDLineParser.forEachLine(in: bytes) { line in
            self.counts.jsonLines += 1
            JSONFeedParser.forEachObject(in: line, scratch: &scratch) { result, scratch in
                switch result {
                case .success(let sample): self.apply(json: sample, line: line, scratch: scratch, now: now)
                case .failure(let failure):
                    self.counts.jsonErrors[failure.rawValue] += 1
                    self.rejected.record(failure, line: line)
                }
            }
        }
    }

    /// Keeps the object's `exemplar` as the last one of a counter series or of the histogram bucket `value` falls
    /// in (the object's last value when it gives several). Other kinds keep none. Decodes two strings: exemplars cost
    /// an allocation, on the objects that carry one only.
    private mutating func attachExemplar(
        series seriesID: Int32, traceID: Range<Int>, spanID: Range<Int>?, line: UnsafeRawBufferPointer, value: Double,
        divisor: Double, multiplier: Double, timestampSeconds: Double
    ) {
        let series = self.series[Int(seriesID)]
        let family = Int(series.family)
        let storage = self.families[family].storage
        guard storage == .counter || storage == .histogram,
            let trace = JSONFeedParser.decodeString(line, traceID), !trace.isEmpty
        else { return }
        let span = spanID.flatMap { JSONFeedParser.decodeString(line, $0) } ?? ""
        let scaled = storage == .histogram ? value / divisor * multiplier : value
        let exemplar = Exemplar(traceID: trace, spanID: span, value: scaled, timestampSeconds: timestampSeconds)
        guard exemplar.fitsOpenMetricsLimit else { return }
        if storage == .counter {
            self.counterExemplars[Int(series.slot)] = exemplar
        } else {
            self.histograms[Int(series.slot)].attach(exemplar, bounds: self.families[family].bounds)
        }
    }

    /// Counts a JSON feed line rejected before parsing (longer than the stream limit).
    package mutating func countRejectedJSONLine(_ failure: JSONFeedFailure) {
        self.counts.jsonLines += 1
        self.counts.jsonErrors[failure.rawValue] += 1
    }

    @inline(__always)
    private mutating func apply(json sample: JSONFeedSample, line: UnsafeRawBufferPointer, scratch: JSONFeedScratch, now: UInt64) {
        let route = self.routes[Int(self.jsonRouteIndex(sample, line: line, now: now))]
        switch route.kind {
        case .apply(let seriesID), .folded(let seriesID, _):
            self.counts.jsonSamples += 1
            if case .folded(_, let name) = route.kind { self.counts.seriesLimited[self.conflictName(name), default: 0] += 1 }
            var statsd = StatsDSample(value: 0, type: sample.type.mappingType, relative: sample.gaugeAdd, sampleRate: sample.sampleRate)
            if sample.type == .set {
                for member in scratch.members {
                    statsd.memberHash = member
                    self.update(series: seriesID, sample: statsd, divisor: route.divisor, multiplier: route.multiplier, now: now)
                }
            } else {
                for value in scratch.values {
                    statsd.value = value
                    self.update(series: seriesID, sample: statsd, divisor: route.divisor, multiplier: route.multiplier, now: now)
                }
                if let traceRange = sample.exemplarTraceID, let last = scratch.values.last {
                    self.attachExemplar(
                        series: seriesID, traceID: traceRange, spanID: sample.exemplarSpanID, line: line,
                        value: last, divisor: route.divisor, multiplier: route.multiplier,
                        timestampSeconds: sample.timestampMilliseconds.map { $0 / 1000 } ?? self.wallClockSeconds(now))
                }
            }
        case .drop:
            self.counts.jsonSamples += 1
            self.counts.dropped += 1
        case .conflict(let family):
            self.counts.jsonErrors[JSONFeedFailure.typeConflict.rawValue] += 1
            self.counts.conflicts[self.conflictName(family), default: 0] += 1
        case .limited(let name):
            self.counts.seriesLimited[self.conflictName(name), default: 0] += 1
        case .jsonFailure(let failure):
            self.counts.jsonErrors[failure.rawValue] += 1
        case .failure(.tooManyLabels):
            self.counts.jsonErrors[JSONFeedFailure.tooManyLabels.rawValue] += 1
        case .failure(.labelValueTooLong):
            self.counts.jsonErrors[JSONFeedFailure.labelValueTooLong.rawValue] += 1
        case .failure:
            self.counts.jsonErrors[JSONFeedFailure.invalidJSON.rawValue] += 1
        }
    }

    /// The cached route for this object's raw type, name and labels bytes, or a newly resolved one.
    ///
    /// The key starts with a byte no StatsD key starts with (`0x80 | type`, plus `0x40` when the object
    /// gives `buckets`), so both listeners share one cache and, through it, series.
    @inline(__always)
    private mutating func jsonRouteIndex(_ sample: JSONFeedSample, line: UnsafeRawBufferPointer, now: UInt64) -> Int32 {
        let key = RawKeyTable.SegmentedKey(
            prefix: 0x80 | sample.type.rawValue | (sample.buckets == nil ? 0 : 0x40),
            name: UnsafeRawBufferPointer(rebasing: line[sample.name]),
            tags: sample.labels.map { UnsafeRawBufferPointer(rebasing: line[$0]) })
        return self.cachedRouteIndex(key) { $0.resolveJSONRoute(sample, line: line, now: now) }
    }

    /// The slow path, once per new object shape: decode name and labels, then route like StatsD.
    private mutating func resolveJSONRoute(_ sample: JSONFeedSample, line: UnsafeRawBufferPointer, now: UInt64) -> Route {
        let failed = { (failure: JSONFeedFailure) in
            Route(kind: .jsonFailure(failure), multiplier: 1, tagErrors: 0, hasTags: false, unmapped: false)
        }
        guard let name = JSONFeedParser.decodeString(line, sample.name), !name.isEmpty else { return failed(.badName) }
        var labels: [(name: String, value: String)] = []
        if let range = sample.labels {
            guard let raw = JSONFeedParser.decodeLabels(line, range) else { return failed(.badLabel) }
            for (key, value) in raw {
                let escaped = MetricNameEscaping.escape(key)
                if escaped.isEmpty || labels.contains(where: { $0.name == escaped }) { return failed(.badLabel) }
                labels.append((escaped, value))
            }
        }
        let request = RouteRequest(
            type: sample.type.mappingType,
            storage: sample.type.fixedStorage(hasBuckets: sample.buckets != nil),
            help: sample.help.flatMap { JSONFeedParser.decodeString(line, $0) },
            buckets: sample.buckets.map { JSONFeedParser.decodeBuckets(line, $0) },
            useMapping: self.settings.jsonFeedMapping
        )
        var route = self.route(name: name, labels: labels, request: request, now: now)
        route.hasTags = !labels.isEmpty
        return route
    }
}
