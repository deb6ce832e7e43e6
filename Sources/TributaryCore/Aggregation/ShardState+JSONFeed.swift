extension ShardState {
    /// Applies every line of a JSON feed chunk (complete stream lines, or one datagram).
    ///
    /// Hot path: for a series already seen, the object is scanned once, its raw name and labels bytes are looked up
    /// in the route cache (shared with StatsD: JSON keys start with a byte no StatsD key starts with), and the values
    /// are applied in place, without allocating.
    package mutating func applyJSON(lines bytes: UnsafeRawBufferPointer, now: UInt64) {
        var scratch = self.jsonScratch
        self.jsonScratch = JSONFeedScratch()
        defer { self.jsonScratch = scratch }
        StatsDLineParser.forEachLine(in: bytes) { line in
            self.counts.jsonLines += 1
            JSONFeedParser.scanObjects(in: line, scratch: &scratch) { failure, sample, scratch in
                if let failure {
                    self.counts.jsonErrors[failure.rawValue] += 1
                    self.rejected.record(failure, line: line)
                } else {
                    self.apply(json: &sample, line: line, scratch: scratch, now: now)
                }
            }
        }
    }

    /// Counts a JSON feed line rejected before parsing (longer than the stream limit).
    package mutating func countRejectedJSONLine(_ failure: JSONFeedFailure) {
        self.counts.jsonLines += 1
        self.counts.jsonErrors[failure.rawValue] += 1
    }

    /// Kept out of line: inlined into the scanning closure, the store's array reads became whole-record copies
    /// (retain and release per sample) instead of in-place loads. `sample` is `inout` only to be passed by address
    /// (not changed).
    @inline(never)
    private mutating func apply(json sample: inout JSONFeedSample, line: UnsafeRawBufferPointer, scratch: JSONFeedScratch, now: UInt64) {
        let key = RawKey.Segmented(
            prefix: 0x80 | sample.type.rawValue | (sample.buckets == nil ? 0 : 0x40),
            name: UnsafeRawBufferPointer(rebasing: line[sample.name]),
            tags: sample.labels.map { UnsafeRawBufferPointer(rebasing: line[$0]) })
        let route = self.route(for: key) { $0.resolveJSON(sample, line: line, now: now) }
        guard let series = self.record(route, from: .json, type: sample.type.mappingType.matchClass, line: line) else {
            return
        }
        var observation = Observation(
            value: sample.value, sampleRate: sample.sampleRate, relative: sample.gaugeAdd, memberHash: sample.memberHash)
        guard sample.valuesInScratch else {
            self.update(route, series: series, observation, now: now)
            if let trace = sample.exemplarTraceID, sample.type != .set {
                self.attachExemplar(
                    series: series, traceID: trace, spanID: sample.exemplarSpanID, line: line, value: sample.value,
                    scaling: route.scaling,
                    timestampSeconds: sample.timestampMilliseconds.map { $0 / 1000 } ?? self.wallClockSeconds(now))
            }
            return
        }
        if sample.type == .set {
            for member in scratch.members {
                observation.memberHash = member
                self.update(route, series: series, observation, now: now)
            }
            return
        }
        for value in scratch.values {
            observation.value = value
            self.update(route, series: series, observation, now: now)
        }
        if let trace = sample.exemplarTraceID, let last = scratch.values.last {
            self.attachExemplar(
                series: series, traceID: trace, spanID: sample.exemplarSpanID, line: line,
                value: last, scaling: route.scaling,
                timestampSeconds: sample.timestampMilliseconds.map { $0 / 1000 } ?? self.wallClockSeconds(now))
        }
    }

    /// Keeps the object's exemplar on a counter series or a histogram bucket; other kinds keep none. Decodes two
    /// strings: exemplars cost an allocation, on the objects that carry one only.
    private mutating func attachExemplar(
        series: Int32, traceID: Range<Int>, spanID: Range<Int>?, line: UnsafeRawBufferPointer, value: Double,
        scaling: Scaling, timestampSeconds: Double
    ) {
        let storage = self.store.storage(ofSeries: series)
        guard storage == .counter || storage == .histogram,
            let trace = JSONFeedParser.decodeString(line, traceID), !trace.isEmpty
        else { return }
        let span = spanID.flatMap { JSONFeedParser.decodeString(line, $0) } ?? ""
        let scaled = storage == .histogram ? scaling.apply(value) : value
        let exemplar = Exemplar(traceID: trace, spanID: span, value: scaled, timestampSeconds: timestampSeconds)
        guard exemplar.fitsOpenMetricsLimit else { return }
        self.attach(exemplar, series: series)
    }

    /// The slow path, once per new object shape: decode name and labels, then the shared route decision.
    private mutating func resolveJSON(_ sample: JSONFeedSample, line: UnsafeRawBufferPointer, now: UInt64) -> Route {
        switch JSONFeedRouting.resolve(sample, line: line, useMapping: self.settings.jsonFeedMapping) {
        case .success(let (tags, request)): return self.resolve(tags: tags, request: request, from: .json, now: now)
        case .failure(let reason): return .rejected(reason)
        }
    }
}

/// The JSON feed side of routing shared by ingest and the explainer: an object's name, labels, help, unit and
/// buckets decoded for the route decision.
package enum JSONFeedRouting {
    /// A name that is not a non-empty string is ``RouteRejection/badName``; label names that escape to nothing or
    /// repeat are ``RouteRejection/badLabel``.
    package static func resolve(
        _ sample: JSONFeedSample, line: UnsafeRawBufferPointer, useMapping: Bool
    ) -> Result<(StatsDTagParser.Resolved, RouteRequest), RouteRejection> {
        guard let name = JSONFeedParser.decodeString(line, sample.name), !name.isEmpty else { return .failure(.badName) }
        var labels: [(name: String, value: String)] = []
        if let range = sample.labels {
            guard let raw = JSONFeedParser.decodeLabels(line, range) else { return .failure(.badLabel) }
            for (key, value) in raw {
                let escaped = MetricNameEscaping.escape(key)
                if escaped.isEmpty || labels.contains(where: { $0.name == escaped }) { return .failure(.badLabel) }
                labels.append((escaped, value))
            }
        }
        let request = RouteRequest(
            type: sample.type.mappingType,
            storage: sample.type.fixedStorage(hasBuckets: sample.buckets != nil),
            help: sample.help.flatMap { JSONFeedParser.decodeString(line, $0) },
            unit: sample.unit.flatMap { JSONFeedParser.decodeString(line, $0) }.flatMap { $0.isEmpty ? nil : $0 },
            buckets: sample.buckets.map { JSONFeedParser.decodeBuckets(line, $0) },
            useMapping: useMapping
        )
        return .success((StatsDTagParser.Resolved(name: name, labels: labels, tagErrors: 0, hasNameTags: false), request))
    }
}
