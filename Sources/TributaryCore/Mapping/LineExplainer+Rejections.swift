/// Why Tributary would reject a line before it is sent (`tributary emit`): the same parsers and the same
/// ``RouteDecision`` as ingest, against an empty shard, so the answer never depends on a second implementation.
///
/// What an empty shard cannot know (a type conflict with a live metric, a full series budget) is not checked.
extension LineExplainer {
    /// The `tributary_sample_errors_total` reasons a StatsD line would be counted under (empty when accepted).
    /// DogStatsD events and service checks are accepted (counted, not exported); an empty line is `empty_line`.
    package func rejections(line: String) -> [String] {
        let explanation = self.explain(line: line)
        if explanation.kind == "empty" { return ["empty_line"] }
        if let error = explanation.error { return [error] }
        let routing = explanation.results.compactMap(\.rejection).map { verdict in
            RouteRejection(rawValue: verdict).map { $0.statsdFailure.label } ?? verdict
        }
        return explanation.samples.compactMap(\.error) + routing
    }

    /// The `tributary_json_errors_total` reasons of a JSON feed line, one per rejected object (an array is a
    /// batch of objects); empty when every object would be accepted.
    package func rejections(jsonLine line: String) -> [String] {
        var reasons: [String] = []
        var objects = 0
        var scratch = JSONFeedScratch()
        let state = ShardState(settings: self.settings, mapper: self.mapper)
        Array(line.utf8).withUnsafeBytes { raw in
            JSONFeedParser.forEachObject(in: raw, scratch: &scratch) { result, _ in
                objects += 1
                switch result {
                case .failure(let failure): reasons.append(failure.label)
                case .success(let sample):
                    switch JSONFeedRouting.resolve(sample, line: raw, useMapping: self.settings.jsonFeedMapping) {
                    case .failure(let reason): reasons.append(reason.jsonFailure.label)
                    case .success(let (tags, request)):
                        if case .rejected(let reason) = state.decide(tags: tags, request: request).verdict {
                            reasons.append(reason.jsonFailure.label)
                        }
                    }
                }
            }
        }
        return objects == 0 ? ["empty_line"] : reasons
    }
}

extension LineExplanation.Result {
    /// The verdict when it is a rejection reason (not `accept`, `folded`, `drop` or `limited`).
    var rejection: String? {
        ["accept", "folded", "drop", "limited"].contains(self.verdict) ? nil : self.verdict
    }
}
