import Testing

@testable import TributaryCore

/// The conformance fixture, `tests/fixtures/conformance/mapping.yml`.
let conformanceMappingYAML = #"""
    defaults:
      observer_type: summary
    mappings:
    - match: "web.*.requests"
      name: "web_requests_total"
      labels:
        handler: "$1"
    - match: "web.*.duration"
      observer_type: histogram
      histogram_options:
        buckets: [0.01, 0.1, 1]
      name: "web_duration_seconds"
      labels:
        handler: "$1"
    - match: "cache.*.*"
      name: "cache_ops_total"
      labels:
        cache: "$1"
        result: "$2"
    - match: "noise.*"
      action: drop
      name: "x"
    - match: "^db\\.(\\w+)\\.query$"
      match_type: regex
      name: "db_query_seconds"
      labels:
        table: "$1"
    """#

/// A compact view of an outcome for table comparisons: `name{a="1",b="2"}`, or `DROP` / `name (unmapped)`.
func render(_ outcome: MappingOutcome) -> String {
    if outcome.action == .drop { return "DROP" }
    let labels = outcome.labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",")
    let suffix = outcome.ruleIndex == nil ? " (unmapped)" : ""
    return labels.isEmpty ? outcome.name + suffix : "\(outcome.name){\(labels)}\(suffix)"
}

struct CompiledMapperTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var type: StatsDType = .counter
        var expected: String
        var testDescription: String { "\(self.name)|\(self.type.wireName) → \(self.expected)" }
    }

    // MARK: Conformance fixture

    @Test(arguments: [
        Case(name: "web.home.requests", expected: #"web_requests_total{handler="home"}"#),
        Case(name: "web.home.duration", type: .timer, expected: #"web_duration_seconds{handler="home"}"#),
        Case(name: "cache.users.hit", expected: #"cache_ops_total{cache="users",result="hit"}"#),
        Case(name: "noise.debug", expected: "DROP"),
        Case(name: "db.orders.query", type: .timer, expected: #"db_query_seconds{table="orders"}"#),
        Case(name: "other.metric", expected: "other_metric (unmapped)"),
        Case(name: "web.home.extra.requests", expected: "web_home_extra_requests (unmapped)"),
    ])
    func mapsConformanceFixture(_ c: Case) throws {
        let mapper = try CompiledMapper.load(yaml: conformanceMappingYAML)
        #expect(render(mapper.map(name: c.name, type: c.type)) == c.expected)
    }

    @Test func conformanceFixtureCarriesObserverOptions() throws {
        let mapper = try CompiledMapper.load(yaml: conformanceMappingYAML)
        #expect(mapper.ruleCount == 5)
        let duration = mapper.map(name: "web.home.duration", type: .timer)
        #expect(duration.observerType == .histogram)
        #expect(duration.histogramOptions.buckets == [0.01, 0.1, 1])
        #expect(duration.ruleIndex == 1)
        let requests = mapper.map(name: "web.home.requests", type: .counter)
        #expect(requests.observerType == .summary)
        #expect(requests.summaryOptions == .statsdExporterDefault)
        #expect(requests.scale == 1)
        let query = mapper.map(name: "db.orders.query", type: .timer)
        #expect(query.ruleIndex == 4)
        #expect(query.observerType == .summary)
        let unmapped = mapper.map(name: "other.metric", type: .timer)
        #expect(unmapped == MappingOutcome(action: .map, name: "other_metric"))
    }

    // MARK: Globs

    static let globYAML = #"""
        mappings:
        - match: "a.b.c"
          name: "exact"
        - match: "a.*.c"
          name: "star_${1}"
        - match: "a.*.*"
          name: "two_${1}_${2}"
        - match: "*.b.c"
          name: "never_reached"
        - match: "x.req*_total.y"
          name: "partial"
          labels:
            middle: "$1"
        - match: "x.*-*.z"
          name: "dash"
          labels:
            left: "$1"
            right: "$2"
        - match: "p.*"
          name: "p_${1}"
        """#

    @Test(arguments: [
        Case(name: "a.b.c", expected: "exact"),
        Case(name: "a.q.c", expected: "star_q"),
        Case(name: "a.q.r", expected: #"two_q_r"#),
        Case(name: "z.b.c", expected: "never_reached"),
        Case(name: "a.b", expected: "a_b (unmapped)"),
        Case(name: "a.b.c.d", expected: "a_b_c_d (unmapped)"),
        Case(name: "a..c", expected: "star_"),
        Case(name: "x.requests_total.y", expected: #"partial{middle="uests"}"#),
        Case(name: "x.req_total.y", expected: #"partial{middle=""}"#),
        Case(name: "x.rq_total.y", expected: "x_rq_total_y (unmapped)"),
        Case(name: "x.a-b-c.z", expected: #"dash{left="a-b",right="c"}"#),
        Case(name: "x.abc.z", expected: "x_abc_z (unmapped)"),
        Case(name: "p.Ünïcode", expected: "p__n_code"),
        Case(name: "p.1", expected: "p_1"),
    ])
    func matchesGlobsInFileOrder(_ c: Case) throws {
        let mapper = try CompiledMapper.load(yaml: Self.globYAML)
        #expect(render(mapper.map(name: c.name, type: c.type)) == c.expected)
    }

    @Test func laterMoreSpecificGlobLosesWithOrdering() throws {
        let yaml = """
            mappings:
            - match: "a.*.c"
              name: "general"
            - match: "a.b.c"
              name: "specific"
            """
        let mapper = try CompiledMapper.load(yaml: yaml)
        #expect(mapper.map(name: "a.b.c", type: .counter).name == "general")
        #expect(mapper.map(name: "a.b.c", type: .counter).ruleIndex == 0)
    }

    @Test(arguments: [
        Case(name: "a.b.c", expected: "specific"),
        Case(name: "a.x.c", expected: "general"),
        Case(name: "a.b.d", expected: "ab_star"),
        Case(name: "a.b.cat", expected: "partial_at"),
    ])
    func globDisableOrderingPrefersLiterals(_ c: Case) throws {
        let yaml = """
            defaults:
              glob_disable_ordering: true
            mappings:
            - match: "a.*.*"
              name: "general_all"
            - match: "a.*.c"
              name: "general"
            - match: "a.b.*"
              name: "ab_star"
            - match: "a.b.c*"
              name: "partial_${1}"
            - match: "a.b.c"
              name: "specific"
            """
        let mapper = try CompiledMapper.load(yaml: yaml)
        #expect(mapper.globOrderingDisabled)
        #expect(render(mapper.map(name: c.name, type: c.type)) == c.expected)
    }

    @Test func globDisableOrderingBacktracksOutOfDeadEnds() throws {
        // "a.b" leads to a literal subtree that cannot finish "a.b.z", so the search must back up to `*`.
        let yaml = """
            defaults:
              glob_disable_ordering: true
            mappings:
            - match: "a.b.c"
              name: "abc"
            - match: "a.*.z"
              name: "star_z_$1"
            """
        let mapper = try CompiledMapper.load(yaml: yaml)
        #expect(mapper.map(name: "a.b.z", type: .counter).name == "star_z_b")
    }

    @Test func capturesFillNameAndLabelTemplatesWithLiteralText() throws {
        let yaml = #"""
            mappings:
            - match: "test.timing.*.*.*"
              name: "my_${3}_timer"
              labels:
                provider: "$2"
                outcome: "result-$3"
                job: "${1}_server"
                constant: "fixed"
                dollar: "$$1"
            """#
        let mapper = try CompiledMapper.load(yaml: yaml)
        let outcome = mapper.map(name: "test.timing.alpha.aws.ok", type: .timer)
        #expect(outcome.name == "my_ok_timer")
        #expect(outcome.labels.map(\.name) == ["provider", "outcome", "job", "constant", "dollar"])
        #expect(outcome.labels.map(\.value) == ["aws", "result-ok", "alpha_server", "fixed", "$1"])
    }

    @Test func escapesExpandedNames() throws {
        let yaml = """
            mappings:
            - match: "svc.*"
              name: "svc_${1}_total"
            """
        let mapper = try CompiledMapper.load(yaml: yaml)
        #expect(mapper.map(name: "svc.my-app", type: .counter).name == "svc_my_app_total")
    }

    @Test func emptyExpandedNameDrops() throws {
        let yaml = """
            mappings:
            - match: "n.*"
              name: "$1"
            """
        let mapper = try CompiledMapper.load(yaml: yaml)
        #expect(mapper.map(name: "n.", type: .counter).action == .drop)
        #expect(mapper.map(name: "n.ok", type: .counter).name == "ok")
    }

    // MARK: Regex

    @Test(arguments: [
        Case(name: "app.x.count", expected: "glob_x"),
        Case(name: "app.x.y.count", expected: #"regex_x_y{whole="app.x.y.count",named="y"}"#),
        Case(name: "prefix.app.q.r.count", expected: #"regex_q_r{whole="app.q.r.count",named="r"}"#),
        Case(name: "app.é.r.count", expected: "app___r_count (unmapped)"),
    ])
    func regexRulesRunAfterGlobsUnanchoredAsInGo(_ c: Case) throws {
        let yaml = #"""
            mappings:
            - match: 'app\.(\w+)\.(?P<second>\w+)\.count'
              match_type: regex
              name: "regex_${1}_${2}"
              labels:
                whole: "$0"
                named: "${second}"
            - match: "app.*.count"
              name: "glob_$1"
            """#
        let mapper = try CompiledMapper.load(yaml: yaml)
        #expect(render(mapper.map(name: c.name, type: c.type)) == c.expected)
    }

    @Test func defaultMatchTypeRegexAppliesToRulesWithoutOne() throws {
        let yaml = #"""
            defaults:
              match_type: regex
            mappings:
            - match: '^(.*)_count$'
              name: "${1}_total"
            - match: "g.*"
              match_type: glob
              name: "glob_${1}"
            """#
        let mapper = try CompiledMapper.load(yaml: yaml)
        #expect(mapper.map(name: "http_count", type: .counter).name == "http_total")
        #expect(mapper.map(name: "g.x_count", type: .counter).name == "glob_x_count")
    }

    // MARK: match_metric_type, drop, honor_labels, ttl, scale, help

    @Test(arguments: [
        Case(name: "m.a", type: .counter, expected: "m_counter_a"),
        Case(name: "m.a", type: .gauge, expected: "m_gauge_a"),
        Case(name: "m.a", type: .set, expected: "m_gauge_a"),
        Case(name: "m.a", type: .timer, expected: "m_any_a"),
        Case(name: "m.a", type: .histogram, expected: "m_any_a"),
        Case(name: "r.a", type: .distribution, expected: "r_observer"),
        Case(name: "r.a", type: .counter, expected: "r_a (unmapped)"),
    ])
    func matchMetricTypeFilters(_ c: Case) throws {
        let yaml = """
            mappings:
            - match: "m.*"
              match_metric_type: counter
              name: "m_counter_$1"
            - match: "m.*"
              match_metric_type: gauge
              name: "m_gauge_$1"
            - match: "m.*"
              name: "m_any_$1"
            - match: "^r\\\\."
              match_type: regex
              match_metric_type: observer
              name: "r_observer"
            """
        let mapper = try CompiledMapper.load(yaml: yaml)
        #expect(render(mapper.map(name: c.name, type: c.type)) == c.expected)
    }

    @Test func dropRulesNeedNoNameAndWinInOrder() throws {
        let yaml = """
            mappings:
            - match: "debug.*"
              action: drop
            - match: "debug.keep"
              name: "kept"
            - match: "."
              match_type: regex
              action: drop
              name: "dropped"
            """
        let mapper = try CompiledMapper.load(yaml: yaml)
        #expect(mapper.map(name: "debug.keep", type: .counter).action == .drop)
        #expect(mapper.map(name: "debug.keep", type: .counter).ruleIndex == 0)
        #expect(mapper.map(name: "anything", type: .gauge).action == .drop)
        #expect(mapper.map(name: "anything", type: .gauge).ruleIndex == 2)
    }

    @Test func carriesHonorLabelsHelpScaleAndTTL() throws {
        let yaml = """
            defaults:
              ttl: 1m30s
            mappings:
            - match: "h.*"
              name: "h"
              honor_labels: true
              help: "Some help"
              scale: 0.001
            - match: "t.*"
              name: "t"
              ttl: 45s
            - match: "z.*"
              name: "z"
              ttl: 0s
            """
        let mapper = try CompiledMapper.load(yaml: yaml)
        let h = mapper.map(name: "h.x", type: .timer)
        #expect(h.honorLabels)
        #expect(h.help == "Some help")
        #expect(h.scale == 0.001)
        #expect(h.ttlSeconds == 90)
        #expect(mapper.map(name: "t.x", type: .counter).ttlSeconds == 45)
        #expect(!mapper.map(name: "t.x", type: .counter).honorLabels)
        // As in statsd_exporter, a rule's `ttl: 0` does not override a default TTL.
        #expect(mapper.map(name: "z.x", type: .counter).ttlSeconds == 90)
        #expect(mapper.map(name: "unmapped", type: .counter).ttlSeconds == 90)
        #expect(mapper.defaultTTLSeconds == 90)
    }

    // MARK: Defaults

    @Test func defaultsFlowIntoRulesAndUnmappedOutcomes() throws {
        let yaml = """
            defaults:
              observer_type: histogram
              histogram_options:
                buckets: [1, 2, 5]
                native_histogram_bucket_factor: 1.1
                native_histogram_max_buckets: 160
              summary_options:
                quantiles:
                - quantile: 0.75
                  error: 0.01
                max_age: 5m
                age_buckets: 3
                buf_cap: 100
            mappings:
            - match: "inherit.*"
              name: "inherit"
            - match: "own.*"
              name: "own"
              histogram_options:
                buckets: [0.5]
            - match: "summary.*"
              observer_type: summary
              name: "summary"
              summary_options:
                max_age: 30s
            - match: "legacy.*"
              timer_type: histogram
              buckets: [3, 4]
              name: "legacy"
            """
        let mapper = try CompiledMapper.load(yaml: yaml)
        let expectedHistogram = HistogramOptions(buckets: [1, 2, 5], nativeBucketFactor: 1.1, nativeMaxBuckets: 160)
        let expectedSummary = SummaryOptions(
            objectives: [SummaryObjective(quantile: 0.75, error: 0.01)], maxAgeSeconds: 300, ageBuckets: 3,
            bufferCapacity: 100)
        #expect(mapper.defaultObserverType == .histogram)
        #expect(mapper.defaultHistogramOptions == expectedHistogram)
        #expect(mapper.defaultSummaryOptions == expectedSummary)

        let unmapped = mapper.map(name: "other", type: .timer)
        #expect(unmapped.observerType == .histogram)
        #expect(unmapped.histogramOptions == expectedHistogram)

        let inherit = mapper.map(name: "inherit.x", type: .timer)
        #expect(inherit.observerType == .histogram)
        #expect(inherit.histogramOptions == expectedHistogram)
        #expect(inherit.summaryOptions == expectedSummary)

        let own = mapper.map(name: "own.x", type: .timer)
        #expect(
            own.histogramOptions == HistogramOptions(buckets: [0.5], nativeBucketFactor: 1.1, nativeMaxBuckets: 160))

        let summary = mapper.map(name: "summary.x", type: .timer)
        #expect(summary.observerType == .summary)
        #expect(summary.summaryOptions.maxAgeSeconds == 30)
        #expect(summary.summaryOptions.objectives == expectedSummary.objectives)
        #expect(summary.summaryOptions.ageBuckets == 3)

        let legacy = mapper.map(name: "legacy.x", type: .timer)
        #expect(legacy.observerType == .histogram)
        #expect(legacy.histogramOptions.buckets == [3, 4])
    }

    @Test func deprecatedDefaultKeysStillWork() throws {
        let yaml = """
            defaults:
              timer_type: histogram
              buckets: [0.1, 1]
              quantiles:
              - quantile: 0.5
                error: 0.1
            """
        let mapper = try CompiledMapper.load(yaml: yaml)
        #expect(mapper.ruleCount == 0)
        #expect(mapper.defaultObserverType == .histogram)
        #expect(mapper.defaultHistogramOptions.buckets == [0.1, 1])
        #expect(mapper.defaultSummaryOptions.objectives == [SummaryObjective(quantile: 0.5, error: 0.1)])
        #expect(mapper.defaultSummaryOptions.maxAgeSeconds == 600)
    }

    @Test(arguments: ["", "# only a comment\n", "mappings: []\n", "defaults:\nmappings:\n"])
    func emptyDocumentsGiveTheEmptyMapper(_ yaml: String) throws {
        let mapper = try CompiledMapper.load(yaml: yaml)
        #expect(mapper.ruleCount == 0)
        #expect(mapper.map(name: "a.b", type: .timer) == CompiledMapper.empty.map(name: "a.b", type: .timer))
    }

    @Test func emptyMapperMapsNothing() {
        let outcome = CompiledMapper.empty.map(name: "web.home-page.hits", type: .counter)
        #expect(outcome == MappingOutcome(action: .map, name: "web_home_page_hits"))
        #expect(CompiledMapper.empty.ruleCount == 0)
    }
}

extension CompiledMapperTests {
    @Test func yamlAnchorsAndMergeKeysWork() throws {
        let yaml = """
            mappings:
            - match: "a.*"
              name: "a_seconds"
              <<: &common
                observer_type: histogram
                histogram_options:
                  buckets: [1, 2]
            - match: "b.*"
              name: "b_seconds"
              ttl: 10s
              <<: *common
            """
        let mapper = try CompiledMapper.load(yaml: yaml)
        for name in ["a.x", "b.x"] {
            let outcome = mapper.map(name: name, type: .timer)
            #expect(outcome.observerType == .histogram)
            #expect(outcome.histogramOptions.buckets == [1, 2])
        }
        #expect(mapper.map(name: "b.x", type: .timer).ttlSeconds == 10)
    }
}
