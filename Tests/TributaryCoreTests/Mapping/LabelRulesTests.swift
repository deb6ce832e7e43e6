import Testing

@testable import TributaryCore

/// `tributary_drop_labels` / `tributary_keep_labels`: parsing, validation, and what ingest and the explainer do
/// with them.
struct LabelRulesTests {
    private func state(_ yaml: String, limits: SeriesLimits = .unlimited) throws -> ShardState {
        ShardState(settings: AggregationSettings(limits: limits), mapper: try CompiledMapper.load(yaml: yaml))
    }

    static let dropUserID = """
        defaults:
          tributary_drop_labels: [user_id, request_id]
        mappings:
        - match: "web.*.requests"
          name: "web_requests_total"
          labels: { handler: "$1" }
        """

    @Test
    func dropsLabelsByNameAndAggregatesCollapsedCounters() throws {
        var state = try self.state(Self.dropUserID)
        state.apply("web.home.requests:1|c|#user_id:1,env:prod\nweb.home.requests:2|c|#user_id:2,env:prod")
        state.apply("web.home.requests:4|c|#user_id:3,env:prod,request_id:x")
        let exposition = state.exposition()
        #expect(exposition.value("web_requests_total", ["handler": "home", "env": "prod"]) == 7)
        #expect(exposition.samples.filter { $0.name == "web_requests_total" }.count == 1)
        #expect(state.liveSeriesCount == 1)
    }

    @Test
    func defaultsApplyToUnmappedNames() throws {
        var state = try self.state(Self.dropUserID)
        state.apply("api.calls:1|c|#user_id:1\napi.calls:1|c|#user_id:2")
        #expect(state.exposition().value("api_calls") == 2)
    }

    @Test
    func collapsedHistogramsMergeAndGaugesTakeTheLatest() throws {
        var state = try self.state(
            """
            defaults:
              observer_type: histogram
              tributary_drop_labels: [pod]
              histogram_options: { buckets: [1, 10] }
            """)
        state.apply("lat:500|ms|#pod:a\nlat:5000|ms|#pod:b\nlat:20000|ms|#pod:c")
        state.apply("temp:10|g|#pod:a\ntemp:3|g|#pod:b\ntemp:+1|g|#pod:c")
        let exposition = state.exposition()
        #expect(exposition.value("lat_count") == 3)
        #expect(exposition.value("lat_sum") == 25.5)
        #expect(exposition.value("lat_bucket", ["le": "1"]) == 1)
        #expect(exposition.value("lat_bucket", ["le": "10"]) == 2)
        #expect(exposition.value("temp") == 4)
    }

    @Test
    func keepListKeepsOnlyItsLabelsAndARuleListWinsOverTheDefaults() throws {
        var state = try self.state(
            """
            defaults:
              tributary_keep_labels: [env]
              tributary_drop_labels: [code]
            mappings:
            - match: "web.*.requests"
              name: "web_requests_total"
              labels: { handler: "$1" }
              tributary_keep_labels: [handler, code]
            """)
        state.apply("web.home.requests:1|c|#env:prod,code:200,user:1\nother:1|c|#env:prod,user:1")
        let exposition = state.exposition()
        #expect(exposition.value("web_requests_total", ["handler": "home"]) == 1)
        #expect(exposition.value("other", ["env": "prod"]) == 1)
    }

    @Test
    func ruleDropListAddsToTheDefaults() throws {
        let mapper = try CompiledMapper.load(
            yaml: """
                defaults: { tributary_drop_labels: [a] }
                mappings: [{ match: x.*, name: x, tributary_drop_labels: [b] }]
                """)
        #expect(mapper.rules[0].labelFilter == LabelFilter(drop: ["a", "b"]))
        #expect(mapper.defaultLabelFilter == LabelFilter(drop: ["a"]))
    }

    @Test
    func dropsAfterHonorLabelsDecided() throws {
        var state = try self.state(
            """
            mappings:
            - match: "a.*"
              name: "a_total"
              honor_labels: true
              labels: { env: "rule", shard: "$1" }
              tributary_drop_labels: [shard]
            - match: "b.*"
              name: "b_total"
              labels: { env: "rule", shard: "$1" }
              tributary_drop_labels: [env]
            """)
        state.apply("a.1:1|c|#env:tag\na.2:1|c|#env:tag\nb.1:1|c|#env:tag")
        let exposition = state.exposition()
        // honor_labels keeps the tag's value; the dropped rule label collapses a.1 and a.2.
        #expect(exposition.value("a_total", ["env": "tag"]) == 2)
        // Dropping a label drops it whichever side won the merge.
        #expect(exposition.value("b_total", ["shard": "1"]) == 1)
    }

    @Test
    func budgetCountsCollapsedSeriesOnce() throws {
        var state = try self.state(Self.dropUserID, limits: SeriesLimits(maxSeriesPerMetric: 2))
        state.apply((0..<50).map { "web.home.requests:1|c|#user_id:\($0),env:e\($0 % 2)" }.joined(separator: "\n"))
        #expect(state.counts.seriesLimited.isEmpty)
        #expect(state.exposition().value("web_requests_total", ["handler": "home", "env": "e0"]) == 25)
        // Without the rule the same traffic is over budget.
        var plain = try self.state("", limits: SeriesLimits(maxSeriesPerMetric: 2))
        plain.apply((0..<50).map { "web.home.requests:1|c|#user_id:\($0),env:e\($0 % 2)" }.joined(separator: "\n"))
        #expect(plain.counts.seriesLimited == ["web_home_requests": 48])
    }

    @Test
    func droppingLabelsKeepsTypeConflictsApart() throws {
        var state = try self.state("defaults:\n  tributary_drop_labels: [user_id]\n")
        state.apply("hits:1|c|#user_id:1\nhits:1|g|#user_id:2\nhits:2|c|#user_id:3")
        #expect(state.exposition().value("hits") == 3)
        #expect(state.sampleErrors(.typeConflict) == 1)
    }

    @Test
    func dropRuleLabelsBeforeLabelLimits() throws {
        var state = try self.state(Self.dropUserID, limits: SeriesLimits(maxLabels: 2))
        state.apply("web.home.requests:1|c|#user_id:1,request_id:2,env:prod")
        #expect(state.exposition().value("web_requests_total", ["handler": "home", "env": "prod"]) == 1)
        #expect(state.sampleErrors(.tooManyLabels) == 0)
    }

    @Test
    func explainerShowsDroppedLabels() throws {
        let explainer = LineExplainer(mapper: try CompiledMapper.load(yaml: Self.dropUserID))
        let explanation = explainer.explain(line: "web.home.requests:1|c|#user_id:42,env:prod")
        let result = try #require(explanation.results.first)
        #expect(result.droppedLabels.map(\.name) == ["user_id"])
        #expect(result.labels.map(\.name) == ["env", "handler"])
        #expect(result.series == "web_requests_total{env=\"prod\",handler=\"home\"}")
        #expect(explanation.text.contains("dropped by label rules: user_id=\"42\""))
    }

    struct Invalid: CustomTestStringConvertible, Sendable {
        var yaml: String
        var expected: MappingConfigError
        var testDescription: String { self.expected.description }
    }

    @Test(arguments: [
        Invalid(
            yaml: "defaults:\n  tributary_drop_labels: user_id\n",
            expected: .invalidDefaults(key: "tributary_drop_labels", reason: "expected a list of strings")),
        Invalid(
            yaml: "defaults:\n  tributary_keep_labels: [ok, \"not ok\"]\n",
            expected: .invalidDefaults(key: "tributary_keep_labels[1]", reason: "invalid label name \"not ok\"")),
        Invalid(
            yaml: "mappings:\n- match: a.*\n  name: a\n  tributary_drop_labels: [x, x]\n",
            expected: .invalidRule(
                index: 0, match: "a.*", key: "tributary_drop_labels[1]", reason: "duplicate label name \"x\"")),
        Invalid(
            yaml: "mappings:\n- match: a.*\n  name: a\n  tributary_drop_labels: [x]\n  tributary_keep_labels: [x]\n",
            expected: .invalidRule(
                index: 0, match: "a.*", key: "tributary_drop_labels",
                reason: "label \"x\" is also in tributary_keep_labels; list it in one of them")),
        Invalid(
            yaml: "mappings:\n- match: a.*\n  name: a\n  drop_labels: [x]\n",
            expected: .invalidRule(index: 0, match: "a.*", key: "drop_labels", reason: "unknown key")),
    ])
    func rejectsInvalidLabelRules(_ invalid: Invalid) {
        #expect(throws: invalid.expected) { try CompiledMapper.load(yaml: invalid.yaml) }
    }
}
