/// Explains StatsD lines: parse (``StatsDLineParser``), tags (``StatsDTagParser``), mapping
/// (`CompiledMapper.explain`) and label merge (``LineShape``), exactly as ingest routes them.
///
/// Pure and slow (it builds strings for everything); meant for `tributary explain` and `GET /api/v1/explain`.
///
/// ```swift
/// let explainer = LineExplainer(mapper: try CompiledMapper.load(yaml: yaml))
/// let explanation = explainer.explain(line: "web.home.requests:1|c|#env:prod")
/// print(explanation.text)
/// ```
package struct LineExplainer: Sendable {
    package var mapper: CompiledMapper
    package var dialects: TagDialects

    package init(mapper: CompiledMapper, dialects: TagDialects = .all) {
        self.mapper = mapper
        self.dialects = dialects
    }

    /// Explains one line (without its newline). `check`, when given, is asked what a shard holds for each result.
    package func explain(line: String, check: ((LineShape) -> SeriesCheck)? = nil) -> LineExplanation {
        var explanation = LineExplanation(
            line: line, kind: "metric", error: nil, name: nil, samples: [], tags: [], tagErrors: 0, results: [])
        var bytes = Array(line.utf8)
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        bytes.withUnsafeBytes { raw in
            switch StatsDLineParser.kind(of: raw) {
            case .metric: self.explainMetric(raw, into: &explanation, check: check)
            case .dogStatsDEvent: explanation.kind = "dogstatsd_event"
            case .dogStatsDServiceCheck: explanation.kind = "dogstatsd_service_check"
            case .empty: explanation.kind = "empty"
            }
        }
        return explanation
    }

    private func explainMetric(
        _ line: UnsafeRawBufferPointer, into explanation: inout LineExplanation, check: ((LineShape) -> SeriesCheck)?
    ) {
        var accepted: [(sample: StatsDSample, layout: StatsDLineLayout)] = []
        var lineFailure: ParseFailure?
        StatsDLineParser(dialects: self.dialects).parse(
            line: line,
            onSample: { sample, layout in
                var entry = LineExplanation.Sample(
                    statsdType: sample.type.wireName, value: sample.type == .set ? nil : sample.value,
                    sampleRate: sample.sampleRate, relative: sample.type == .gauge ? sample.relative : nil)
                // Ingest rejects these before routing, as statsd_exporter does.
                if sample.type == .counter && sample.value < 0 {
                    entry.error = ParseFailure.negativeCounter.label
                } else {
                    accepted.append((sample, layout))
                }
                explanation.samples.append(entry)
            },
            onFailure: { failure in
                if failure == .malformedLine || failure == .invalidExtendedAggregateType {
                    lineFailure = failure
                } else {
                    explanation.samples.append(.init(error: failure.label))
                }
            }
        )
        if let lineFailure {
            explanation.error = lineFailure.label
            return
        }
        guard let first = accepted.first?.layout else { return }
        let nameSection = UnsafeRawBufferPointer(rebasing: line[first.nameSectionStart..<first.nameSectionEnd])
        let dogTags = first.hasDogTags ? UnsafeRawBufferPointer(rebasing: line[first.dogTagsStart..<first.dogTagsEnd]) : nil
        let tags: StatsDTagParser.Resolved
        switch LineShape.resolveTags(nameSection: nameSection, dogTags: dogTags, dialects: self.dialects) {
        case .success(let resolved): tags = resolved
        case .failure(let failure):
            explanation.error = failure.label
            return
        }
        explanation.name = tags.name
        explanation.tags = tags.labels.map { .init(name: $0.name, value: $0.value) }
        explanation.tagErrors = tags.tagErrors

        var seen: [StatsDType] = []
        for (sample, _) in accepted where !seen.contains(sample.type) {
            seen.append(sample.type)
            let shape = LineShape(type: sample.type, tags: tags, mapper: self.mapper)
            let dropped = shape.outcome.action == .drop
            let series = shape.outcome.name + "{" + ShardState.renderLabels(shape.labelPairs) + "}"
            explanation.results.append(
                LineExplanation.Result(
                    statsdType: sample.type.wireName,
                    mapping: self.mapper.explain(name: tags.name, type: sample.type),
                    prometheusType: dropped ? nil : shape.storage.prometheusType,
                    labels: shape.labels,
                    series: dropped ? nil : (shape.labels.isEmpty ? shape.outcome.name : series),
                    valueMultiplier: shape.multiplier / shape.divisor,
                    existing: dropped ? nil : check?(shape),
                    shape: shape))
        }
    }
}

extension LineExplanation.Sample {
    init(error: String) {
        self.init(statsdType: nil, value: nil, sampleRate: nil, relative: nil, error: error)
    }
}
