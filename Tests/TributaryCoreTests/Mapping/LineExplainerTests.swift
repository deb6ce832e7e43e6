import Testing

@testable import TributaryCore

struct LineExplainerTests {
    static let yaml = """
        mappings:
        - match: "web.*.requests"
          match_metric_type: gauge
          name: "web_gauge"
        - match: "web.*.requests"
          name: "web_requests_total"
          labels:
            handler: "$1"
            env: "rule"
        - match: "web.*.duration"
          observer_type: histogram
          histogram_options:
            buckets: [0.01, 0.1, 1]
          name: "web_duration_seconds"
          ttl: 30s
        - match: "noise.*"
          action: drop
          name: "dropped"
        - match: "^db\\\\.(\\\\w+)\\\\.query$"
          match_type: regex
          name: "db_query_seconds"
          honor_labels: true
          labels:
            table: "$1"
        """

    struct Case: Sendable, CustomTestStringConvertible {
        var line: String
        /// Line-level error, or the first sample's error.
        var error: String? = nil
        var rule: Int? = nil
        var skipped: [MappingExplanation.SkipReason] = []
        var prometheusType: String? = nil
        var series: String? = nil
        var labelSources: [LineShape.Label.Source] = []
        var testDescription: String { self.line }
    }

    static let cases: [Case] = [
        // Glob, after a rule skipped for match_metric_type; the rule's label replaces the tag.
        Case(
            line: "web.home.requests:1|c|#env:prod", rule: 1, skipped: [.metricTypeMismatch],
            prometheusType: "counter", series: #"web_requests_total{env="rule",handler="home"}"#,
            labelSources: [.ruleOverTag, .rule]),
        // The same name as a gauge takes rule 0.
        Case(line: "web.home.requests:3|g", rule: 0, prometheusType: "gauge", series: "web_gauge"),
        Case(
            line: "web.api.duration:12|ms", rule: 2, skipped: [.patternMismatch, .patternMismatch],
            prometheusType: "histogram", series: "web_duration_seconds"),
        // Regex after every glob; honor_labels keeps the line's tag.
        Case(
            line: "db.orders.query:3|ms|#table:t", rule: 4, skipped: Array(repeating: .patternMismatch, count: 4),
            prometheusType: "summary", series: #"db_query_seconds{table="t"}"#, labelSources: [.tagOverRule]),
        Case(line: "noise.debug:1|c", rule: 3, skipped: Array(repeating: .patternMismatch, count: 3)),
        Case(
            line: "other.thing:1|c|#a:b", skipped: Array(repeating: .patternMismatch, count: 5),
            prometheusType: "counter", series: #"other_thing{a="b"}"#, labelSources: [.tag]),
        Case(line: "no colon", error: "malformed_line"),
        Case(line: "a:x|c", error: "malformed_value"),
        Case(line: "a:1|c|@2", error: "invalid_sample_factor"),
        Case(line: "a:-1|c", error: "illegal_negative_counter"),
        Case(line: "a,k=v:1|c|#x:y", error: "mixed_tagging_styles"),
    ]

    @Test(arguments: cases)
    func explainsLine(_ expected: Case) throws {
        let explainer = LineExplainer(mapper: try CompiledMapper.load(yaml: Self.yaml))
        let explanation = explainer.explain(line: expected.line)
        #expect((explanation.error ?? explanation.samples.first?.error) == expected.error)
        guard expected.error == nil else {
            #expect(explanation.results.isEmpty)
            return
        }
        let result = try #require(explanation.results.first)
        #expect(result.mapping.matchedRule?.index == expected.rule)
        #expect(result.mapping.skippedRules.map(\.reason) == expected.skipped)
        #expect(result.prometheusType == expected.prometheusType)
        #expect(result.series == expected.series)
        #expect(result.labels.map(\.source) == expected.labelSources)
    }

    @Test func explainsEverySampleTypeOfMultiValueLine() {
        let explanation = LineExplainer(mapper: .empty).explain(line: "t:1|c:2|ms:3|ms")
        #expect(explanation.samples.map(\.statsdType) == ["c", "ms", "ms"])
        #expect(explanation.results.map(\.statsdType) == ["c", "ms"])
        #expect(explanation.results.map(\.valueMultiplier) == [1, 0.001])
    }

    @Test func respectsDisabledTagDialects() {
        let dialects = TagDialects(dogStatsD: true, influxDB: false, librato: true, signalFX: true)
        let explanation = LineExplainer(mapper: .empty, dialects: dialects).explain(line: "a,k=v:1|c")
        #expect(explanation.tags.isEmpty)
        #expect(explanation.results.first?.series == "a_k_v")
    }

    @Test func agreesWithTheShard() throws {
        let mapper = try CompiledMapper.load(yaml: Self.yaml)
        let shard = AggregationShard(mapper: mapper)
        let line = "web.home.requests:1|c|#env:prod,z:1"
        Array(line.utf8).withUnsafeBytes { shard.apply(lines: $0, now: 1) }
        var text: [UInt8] = []
        shard.writeText(into: &text, now: 1)
        let series = try #require(LineExplainer(mapper: mapper).explain(line: line).results.first?.series)
        #expect(String(decoding: text, as: UTF8.self).contains(series + " 1\n"))
    }

    @Test func checksExistingSeriesAndConflicts() throws {
        let shard = AggregationShard()
        Array("a.b:1|g\nh:1|ms\n".utf8).withUnsafeBytes { shard.apply(lines: $0, now: 1) }
        let explainer = LineExplainer(mapper: .empty)
        func existing(_ line: String) -> SeriesCheck? {
            explainer.explain(line: line, decide: { shard.decide(tags: $0, request: $1) }).results.first?.existing
        }
        #expect(existing("a.b:2|g") == SeriesCheck(familyType: "gauge", seriesExists: true, conflict: nil))
        #expect(existing("a.b:2|g|#k:v") == SeriesCheck(familyType: "gauge", seriesExists: false, conflict: nil))
        #expect(
            existing("a.b:2|c")
                == SeriesCheck(
                    familyType: "gauge", seriesExists: false,
                    conflict: .init(family: "a_b", existingType: "gauge", reason: .typeMismatch)))
        #expect(existing("h_count:1|c")?.conflict == .init(family: "h", existingType: "summary", reason: .reservedSuffix))
        #expect(existing("new:1|c") == SeriesCheck(familyType: nil, seriesExists: false, conflict: nil))
    }

    @Test func rendersReadableText() throws {
        let explainer = LineExplainer(mapper: try CompiledMapper.load(yaml: Self.yaml))
        let text = explainer.explain(line: "web.home.requests:1|c|#env:prod").text
        #expect(
            text == """
                line: web.home.requests:1|c|#env:prod
                  sample: c value 1
                  name: web.home.requests  tags: env="prod"
                  as c (counter): rule 1 "web.*.requests" (glob) matched
                    rule 0 "web.*.requests" (glob) skipped: match_metric_type is gauge, this is a counter
                    → counter web_requests_total{env="rule",handler="home"}
                    labels: env="rule" (rule, replaced tag), handler="home" (rule)
                    ttl: none

                """)
    }
}
