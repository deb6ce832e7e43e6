/// Explains StatsD lines and JSON feed objects: parse, tags, mapping (`CompiledMapper.explain`), label merge and the
/// verdict, through the same ``RouteDecision`` ingest carries out, so the explainer says exactly what ingest does.
///
/// Pure and slow (it builds strings for everything); meant for `tributary explain` and `GET /api/v1/explain`.
///
/// ```swift
/// let explainer = LineExplainer(mapper: try CompiledMapper.load(yaml: yaml))
/// let explanation = explainer.explain(line: "web.home.requests:1|c|#env:prod")
/// print(explanation.text)
/// ```
package struct LineExplainer: Sendable {
    /// Decides a route against some shard's series (a live shard's, under its lock, or an empty one).
    package typealias Decide = (StatsDTagParser.Resolved, RouteRequest) -> RouteDecision

    package var mapper: CompiledMapper
    package var dialects: TagDialects
    /// Budgets and label limits the verdict applies when no live shard decides.
    package var settings: AggregationSettings

    package init(mapper: CompiledMapper, dialects: TagDialects = .all, settings: AggregationSettings = AggregationSettings()) {
        self.mapper = mapper
        self.dialects = dialects
        self.settings = settings
    }

    /// Explains one line (without its newline). `decide`, when given, decides against a live shard (and the result
    /// then says what the shard holds, ``LineExplanation/Result/existing``); otherwise against an empty one.
    package func explain(line: String, decide: Decide? = nil) -> LineExplanation {
        var explanation = LineExplanation(
            line: line, kind: "metric", error: nil, name: nil, samples: [], tags: [], tagErrors: 0, results: [])
        var bytes = Array(line.utf8)
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        bytes.withUnsafeBytes { raw in
            switch StatsDLineParser.kind(of: raw) {
            case .metric: self.explainMetric(raw, into: &explanation, decide: decide)
            case .dogStatsDEvent: explanation.kind = "dogstatsd_event"
            case .dogStatsDServiceCheck: explanation.kind = "dogstatsd_service_check"
            case .empty: explanation.kind = "empty"
            }
        }
        return explanation
    }

    /// Explains one JSON feed line holding one object (kind `json`); the error is the `json_errors_total` reason.
    package func explain(jsonLine line: String, decide: Decide? = nil) -> LineExplanation {
        var explanation = LineExplanation(
            line: line, kind: "json", error: nil, name: nil, samples: [], tags: [], tagErrors: 0, results: [])
        var scratch = JSONFeedScratch()
        Array(line.utf8).withUnsafeBytes { raw in
            JSONFeedParser.forEachObject(in: raw, scratch: &scratch) { result, _ in
                guard explanation.results.isEmpty && explanation.error == nil else { return }
                switch result {
                case .failure(let failure): explanation.error = failure.label
                case .success(let sample):
                    switch JSONFeedRouting.resolve(sample, line: raw, useMapping: self.settings.jsonFeedMapping) {
                    case .failure(let reason): explanation.error = reason.jsonFailure.label
                    case .success(let (tags, request)):
                        explanation.name = tags.name
                        explanation.tags = tags.labels.map { .init(name: $0.name, value: $0.value) }
                        explanation.results.append(self.result(tags: tags, request: request, decide: decide))
                    }
                }
            }
        }
        return explanation
    }

    private func explainMetric(_ line: UnsafeRawBufferPointer, into explanation: inout LineExplanation, decide: Decide?) {
        var accepted: [(sample: StatsDSample, layout: StatsDLineLayout)] = []
        var lineFailure: ParseFailure?
        StatsDLineParser(dialects: self.dialects).parse(
            line: line,
            onSample: { sample, layout in
                var entry = LineExplanation.Sample(
                    statsdType: sample.type.wireName, value: sample.type == .set ? nil : sample.value,
                    sampleRate: sample.sampleRate, relative: sample.type == .gauge ? sample.relative : nil)
                // Ingest rejects these before routing, as statsd_exporter does.
                if sample.type == .counter && !(sample.value >= 0) {
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
        let tags: StatsDTagParser.Resolved
        switch StatsDRouting.resolveTags(line: line, layout: first, dialects: self.dialects) {
        case .success(let resolved): tags = resolved
        case .failure(let reason):
            explanation.error = reason.statsdFailure.label
            return
        }
        explanation.name = tags.name
        explanation.tags = tags.labels.map { .init(name: $0.name, value: $0.value) }
        explanation.tagErrors = tags.tagErrors
        explanation.ignored = StatsDLineParser.ignoredComponents(of: line, dialects: self.dialects)
        var seen: [StatsDType] = []
        for (sample, _) in accepted where !seen.contains(sample.type) {
            seen.append(sample.type)
            explanation.results.append(self.result(tags: tags, request: RouteRequest(type: sample.type), decide: decide))
        }
    }

    /// One result: the decision for this name, labels and type.
    private func result(tags: StatsDTagParser.Resolved, request: RouteRequest, decide: Decide?) -> LineExplanation.Result {
        let decision =
            decide?(tags, request)
            ?? ShardState(settings: self.settings, mapper: self.mapper).decide(tags: tags, request: request)
        let shape = decision.shape
        let dropped = shape.outcome.action == .drop
        let series = decision.labelText.isEmpty ? decision.name : decision.name + "{" + decision.labelText + "}"
        return LineExplanation.Result(
            statsdType: request.type.wireName,
            mapping: self.mapper.explain(name: tags.name, type: request.type),
            prometheusType: dropped ? nil : shape.storage.prometheusType,
            labels: shape.labels,
            droppedLabels: shape.droppedLabels,
            series: dropped ? nil : series,
            valueMultiplier: shape.multiplier / shape.divisor,
            verdict: decision.verdict.label,
            existing: decide == nil || dropped ? nil : SeriesCheck(decision),
            shape: shape)
    }
}

extension LineExplanation.Sample {
    init(error: String) {
        self.init(statsdType: nil, value: nil, sampleRate: nil, relative: nil, error: error)
    }
}
