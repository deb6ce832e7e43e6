import Testing
@testable import TributaryCore

/// Ingest and the explainer decide routes through one ``RouteDecision``: for a corpus of StatsD lines and JSON
/// objects, accepted and rejected alike, the explainer's verdict, name, labels and type equal what ingest did,
/// line by line (each line explained against the shard as it stands just before that line is applied).
@Suite
struct RouteAgreementTests {
    /// One input and the verdict both paths must reach (so the corpus cannot silently stop covering a branch).
    struct Case: Sendable, CustomStringConvertible {
        var line: String
        var json: Bool
        var verdict: String
        var description: String { self.line }
    }

    static let mapping = """
        mappings:
          - match: "app.*.requests"
            name: "app_requests_total"
            labels:
              service: "$1"
          - match: "app.*.latency"
            observer_type: histogram
            name: "app_latency_seconds"
            labels:
              service: "$1"
          - match: "noise.*"
            action: drop
            name: "dropped"
        """

    static let cases: [Case] = [
        // StatsD: accepted, then the same series again.
        Case(line: "app.web.requests:1|c|#route:/home", json: false, verdict: "accept"),
        Case(line: "app.web.requests:2|c|#route:/home", json: false, verdict: "accept"),
        Case(line: "app.web.latency:250|ms|#route:/home", json: false, verdict: "accept"),
        Case(line: "plain.gauge:5|g", json: false, verdict: "accept"),
        // A rule's `action: drop`.
        Case(line: "noise.tick:1|c", json: false, verdict: "drop"),
        // Too many labels (`--limits.max-labels 3`: three tags plus the rule's `service` label).
        Case(line: "app.web.requests:1|c|#a:1,b:2,c:3", json: false, verdict: "too_many_labels"),
        // A label value longer than 16 bytes.
        Case(line: "plain.other:1|c|#k:aaaaaaaaaaaaaaaaaaaaaaaa", json: false, verdict: "label_value_too_long"),
        // The reserved namespace.
        Case(line: "tributary_lines_total:1|c", json: false, verdict: "reserved_name"),
        // Type conflicts: a gauge name used as a counter; a counter named like the histogram's `_count`.
        Case(line: "plain.gauge:1|c", json: false, verdict: "type_conflict"),
        Case(line: "app_latency_seconds_count:1|c", json: false, verdict: "type_conflict"),
        // Over the per-metric budget of 2 series (`overflow: drop`).
        Case(line: "app.web.requests:1|c|#route:/a", json: false, verdict: "accept"),
        Case(line: "app.web.requests:1|c|#route:/b", json: false, verdict: "limited"),
        // Mixed tagging styles and a malformed name section are rejected by the route too.
        Case(line: "tagged,env=prod:1|c|#env:dev", json: false, verdict: "mixed_tagging_styles"),
        // JSON feed objects: accepted, rejected by limits, reserved, conflicting, over budget, bad labels.
        Case(line: #"{"name":"jobs_done_total","type":"counter","value":3,"labels":{"queue":"a"}}"#, json: true, verdict: "accept"),
        Case(line: #"{"name":"jobs_done_total","type":"counter","value":1,"labels":{"queue":"a"}}"#, json: true, verdict: "accept"),
        Case(line: #"{"name":"queue_depth","type":"gauge","value":7}"#, json: true, verdict: "accept"),
        Case(line: #"{"name":"queue_depth","type":"counter","value":7}"#, json: true, verdict: "type_conflict"),
        Case(line: #"{"name":"tributary_fake","type":"gauge","value":1}"#, json: true, verdict: "reserved_name"),
        Case(line: #"{"name":"jobs_done_total","type":"counter","value":1,"labels":{"queue":"b"}}"#, json: true, verdict: "accept"),
        Case(line: #"{"name":"jobs_done_total","type":"counter","value":1,"labels":{"queue":"c"}}"#, json: true, verdict: "limited"),
        Case(line: #"{"name":"wide","type":"gauge","value":1,"labels":{"a":"1","b":"2","c":"3","d":"4"}}"#, json: true, verdict: "too_many_labels"),
        Case(line: #"{"name":"dup","type":"gauge","value":1,"labels":{"a.b":"1","a_b":"2"}}"#, json: true, verdict: "bad_label"),
        // Mapped like StatsD: the third series of `app_requests_total`, over its budget.
        Case(line: #"{"name":"app.api.requests","type":"counter","value":2}"#, json: true, verdict: "limited"),
        // Parse failures come before routing: a bad sample rate, a negative counter.
        Case(line: "app.web.requests:1|c|@abc", json: false, verdict: "invalid_sample_factor"),
        Case(line: "app.web.requests:-1|c", json: false, verdict: "illegal_negative_counter"),
    ]

    static let settings = AggregationSettings(
        limits: SeriesLimits(maxSeriesPerMetric: 2, overflow: .drop, maxLabels: 3, maxLabelValueBytes: 16))

    @Test
    func explainerVerdictsMatchIngestLineByLine() throws {
        let mapper = try CompiledMapper.load(yaml: Self.mapping)
        var state = ShardState(settings: Self.settings, mapper: mapper)
        let explainer = LineExplainer(mapper: mapper, settings: Self.settings)
        var verdicts: [String] = []
        for testCase in Self.cases {
            let snapshot = state
            let decide: LineExplainer.Decide = { snapshot.decide(tags: $0, request: $1) }
            let explanation =
                testCase.json ? explainer.explain(jsonLine: testCase.line, decide: decide)
                : explainer.explain(line: testCase.line, decide: decide)
            let result = explanation.results.first
            let explained = result?.verdict ?? explanation.error ?? explanation.samples.first?.error ?? "none"
            verdicts.append(explained)

            let before = state.exposition()
            let countsBefore = state.counts
            if testCase.json { state.applyJSON(testCase.line) } else { state.apply(testCase.line) }
            let ingested = IngestEffect(before: before, after: state.exposition(), countsBefore: countsBefore, countsAfter: state.counts)

            switch ingested.kind {
            case .accepted(let name, let labels, let type):
                #expect(explained == "accept", "\(testCase): ingest accepted, explainer said \(explained)")
                let seriesText = labels.isEmpty ? name : name + "{" + RouteDecision.renderLabels(labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }) + "}"
                #expect(result?.series == seriesText, "\(testCase)")
                #expect(result?.prometheusType == type, "\(testCase)")
            case .rejected(let reason):
                // The explainer names the protocol-neutral reason; ingest counts the protocol's reason for it.
                let counted = RouteRejection(rawValue: explained).map { testCase.json ? $0.jsonFailure.label : $0.statsdFailure.label } ?? explained
                #expect(counted == reason, "\(testCase): ingest counted \(reason), explainer said \(explained)")
            case .limited:
                #expect(explained == "limited", "\(testCase)")
            case .dropped:
                #expect(explained == "drop", "\(testCase)")
            case .unknown:
                Issue.record("\(testCase): ingest had no visible effect")
            }
        }
        #expect(verdicts == Self.cases.map(\.verdict))
    }
}

/// What applying one line did, read from the exposition and the counts alone.
struct IngestEffect {
    enum Kind {
        case accepted(name: String, labels: [String: String], type: String)
        case rejected(String)
        case limited
        case dropped
        case unknown
    }

    var kind: Kind

    init(before: Exposition, after: Exposition, countsBefore: IngestCounts, countsAfter: IngestCounts) {
        for failure in ParseFailure.allCases
        where countsAfter.sampleErrors[failure.rawValue] > countsBefore.sampleErrors[failure.rawValue] {
            self.kind = .rejected(failure.label)
            return
        }
        for failure in JSONFeedFailure.allCases
        where countsAfter.jsonErrors[failure.rawValue] > countsBefore.jsonErrors[failure.rawValue] {
            self.kind = .rejected(failure.label)
            return
        }
        if countsAfter.dropped > countsBefore.dropped {
            self.kind = .dropped
            return
        }
        let changed = after.samples.filter { sample in
            !before.samples.contains { $0.name == sample.name && $0.labels == sample.labels && $0.value == sample.value }
        }
        if let sample = changed.first {
            // The family: the sample name without a histogram's or summary's suffix, as `# TYPE` names it.
            var family = sample.name
            for suffix in ["_bucket", "_sum", "_count"] where after.types[family] == nil && family.hasSuffix(suffix) {
                family.removeLast(suffix.count)
            }
            var labels = sample.labels
            labels["le"] = nil
            labels["quantile"] = nil
            self.kind = .accepted(name: family, labels: labels, type: after.types[family] ?? "?")
            return
        }
        let limited = countsAfter.seriesLimited.values.reduce(0, +) > countsBefore.seriesLimited.values.reduce(0, +)
        self.kind = limited ? .limited : .unknown
    }
}
