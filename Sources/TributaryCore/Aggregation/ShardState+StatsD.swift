extension ShardState {
    /// Applies every StatsD line of a datagram (or a chunk of complete stream lines).
    ///
    /// Hot path: for a series already seen, this hashes the raw key in place, finds the cached route and updates a
    /// value, without allocating.
    package mutating func apply(lines bytes: UnsafeRawBufferPointer, now: UInt64) {
        let parser = StatsDLineParser(dialects: self.settings.dialects)
        StatsDLineParser.forEachLine(in: bytes) { line in
            self.counts.lines += 1
            if line.count > self.settings.maxLineBytes {
                self.countFailure(.lineTooLong, line: line)
                return
            }
            switch StatsDLineParser.kind(of: line) {
            case .metric:
                parser.parse(
                    line: line,
                    onSample: { sample, layout in self.apply(sample: sample, line: line, layout: layout, now: now) },
                    onFailure: { failure in self.countFailure(failure, line: line) }
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

    private mutating func countFailure(_ failure: ParseFailure, line: UnsafeRawBufferPointer) {
        self.counts.sampleErrors[failure.rawValue] += 1
        self.rejected.record(failure, line: line)
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
        // With a container id label the tags segment is the span over the `#tags` and `c:<id>` components, under
        // its own prefix bit (so `|c:x` and `|#c:x` never share a key).
        let key = RawKey.Segmented(
            prefix: layout.hasContainerID ? sample.type.rawValue | 0x40 : sample.type.rawValue,
            name: UnsafeRawBufferPointer(rebasing: line[layout.nameSectionStart..<layout.nameSectionEnd]),
            tags: layout.hasContainerID
                ? UnsafeRawBufferPointer(rebasing: line[layout.keySpanStart..<layout.keySpanEnd])
                : layout.hasDogTags ? UnsafeRawBufferPointer(rebasing: line[layout.dogTagsStart..<layout.dogTagsEnd]) : nil)
        let route = self.route(for: key) { $0.resolveStatsD(type: sample.type, line: line, layout: layout, now: now) }
        if route.hasTags { self.counts.linesWithTags += 1 }
        self.counts.tagErrors &+= UInt64(route.tagErrors)
        guard let series = self.record(route, from: .statsd, type: sample.type.matchClass, line: line) else { return }
        let observation = Observation(
            value: sample.value, sampleRate: sample.sampleRate, relative: sample.relative, memberHash: sample.memberHash)
        self.update(route, series: series, observation, now: now)
    }

    /// The slow path for a StatsD line, once per new line shape: name section and DogStatsD tags → name and labels,
    /// then the shared route decision.
    private mutating func resolveStatsD(
        type: StatsDType, line: UnsafeRawBufferPointer, layout: StatsDLineLayout, now: UInt64
    ) -> Route {
        switch StatsDRouting.resolveTags(line: line, layout: layout, dialects: self.settings.dialects) {
        case .success(let tags): return self.resolve(tags: tags, request: RouteRequest(type: type), from: .statsd, now: now)
        case .failure(let reason): return .rejected(reason)
        }
    }
}

/// The StatsD side of routing shared by ingest and the explainer: a parsed line's name section and tags as a name
/// and labels, failing as ingest does.
package enum StatsDRouting {
    /// Bytes that are not UTF-8 or an empty name are ``RouteRejection/badName`` (`malformed_line`); name-embedded
    /// tags together with DogStatsD tags are ``RouteRejection/mixedTaggingStyles``.
    package static func resolveTags(
        line: UnsafeRawBufferPointer, layout: StatsDLineLayout, dialects: TagDialects
    ) -> Result<StatsDTagParser.Resolved, RouteRejection> {
        let nameSection = UnsafeRawBufferPointer(rebasing: line[layout.nameSectionStart..<layout.nameSectionEnd])
        let dogTags = layout.hasDogTags ? UnsafeRawBufferPointer(rebasing: line[layout.dogTagsStart..<layout.dogTagsEnd]) : nil
        guard var resolved = StatsDTagParser(dialects: dialects).resolve(nameSection: nameSection, dogTags: dogTags)
        else { return .failure(.badName) }
        if resolved.hasNameTags && dogTags != nil { return .failure(.mixedTaggingStyles) }
        if resolved.name.isEmpty { return .failure(.badName) }
        if layout.hasContainerID {
            // `container_id`, as statsd_exporter 0.29+: whichever of it and a `container_id` tag comes later wins.
            let bytes = UnsafeRawBufferPointer(rebasing: line[layout.containerIDStart..<layout.containerIDEnd])
            guard let id = String(validating: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self) else {
                return .failure(.badName)
            }
            if let existing = resolved.labels.firstIndex(where: { $0.name == "container_id" }) {
                if !layout.hasDogTags || layout.containerIDStart > layout.dogTagsStart { resolved.labels[existing].value = id }
            } else {
                resolved.labels.append((name: "container_id", value: id))
            }
        }
        return .success(resolved)
    }
}
