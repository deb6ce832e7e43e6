import Foundation
import Testing

@testable import TributaryCore

struct MappingExplanationTests {
    typealias Skipped = MappingExplanation.SkippedRule
    typealias Ref = MappingExplanation.RuleReference

    @Test func explainsConformanceRegexMatchAfterGlobs() throws {
        let mapper = try CompiledMapper.load(yaml: conformanceMappingYAML)
        let explanation = mapper.explain(name: "db.orders.query", type: .timer)
        #expect(explanation.matchedRule == Ref(index: 4, match: #"^db\.(\w+)\.query$"#, matchType: .regex))
        #expect(explanation.skippedRules.map(\.rule.index) == [0, 1, 2, 3])
        #expect(explanation.skippedRules.allSatisfy { $0.reason == .patternMismatch })
        #expect(explanation.action == .map)
        #expect(explanation.metricName == "db_query_seconds")
        #expect(explanation.labels == [.init(name: "table", value: "orders")])
        #expect(explanation.observerType == .summary)
        #expect(explanation.summaryQuantiles == [0.5, 0.9, 0.99])
        #expect(explanation.histogramBuckets == nil)
        #expect(explanation.statsdType == "ms")
    }

    @Test func explainsHistogramRuleAndDrop() throws {
        let mapper = try CompiledMapper.load(yaml: conformanceMappingYAML)
        let duration = mapper.explain(name: "web.home.duration", type: .histogram)
        #expect(duration.matchedRule?.index == 1)
        #expect(
            duration.skippedRules == [
                .init(rule: Ref(index: 0, match: "web.*.requests", matchType: .glob), reason: .patternMismatch)
            ])
        #expect(duration.observerType == .histogram)
        #expect(duration.histogramBuckets == [0.01, 0.1, 1])

        let noise = mapper.explain(name: "noise.debug", type: .counter)
        #expect(noise.matchedRule?.index == 3)
        #expect(noise.action == .drop)
        #expect(noise.observerType == nil)
    }

    @Test func explainsMetricTypeMismatchAndUnmapped() throws {
        let yaml = """
            mappings:
            - match: "a.*"
              match_metric_type: counter
              name: "a_total"
            - match: "b.*"
              name: "b"
            - match: "^a"
              match_type: regex
              match_metric_type: gauge
              name: "a_gauge"
            """
        let mapper = try CompiledMapper.load(yaml: yaml)
        let explanation = mapper.explain(name: "a.x", type: .timer)
        #expect(explanation.matchedRule == nil)
        #expect(
            explanation.skippedRules == [
                .init(
                    rule: Ref(index: 0, match: "a.*", matchType: .glob), reason: .metricTypeMismatch,
                    wantedMetricType: .counter),
                .init(rule: Ref(index: 1, match: "b.*", matchType: .glob), reason: .patternMismatch),
                .init(
                    rule: Ref(index: 2, match: "^a", matchType: .regex), reason: .metricTypeMismatch,
                    wantedMetricType: .gauge),
            ])
        #expect(explanation.metricName == "a_x")
        #expect(explanation.action == .map)
    }

    @Test func explainsLessSpecificGlobsWithoutOrdering() throws {
        let yaml = """
            defaults:
              glob_disable_ordering: true
            mappings:
            - match: "a.*"
              name: "general"
            - match: "a.b"
              name: "specific"
            - match: "c.*"
              name: "other"
            """
        let mapper = try CompiledMapper.load(yaml: yaml)
        let explanation = mapper.explain(name: "a.b", type: .gauge)
        #expect(explanation.matchedRule?.index == 1)
        #expect(explanation.skippedRules.map(\.reason) == [.lessSpecific, .patternMismatch])
    }

    @Test func encodesAsJSON() throws {
        let mapper = try CompiledMapper.load(yaml: conformanceMappingYAML)
        let explanation = mapper.explain(name: "cache.users.hit", type: .counter)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(explanation), as: UTF8.self)
        #expect(json.contains(#""matched_rule":{"index":2,"match":"cache.*.*","match_type":"glob"}"#))
        #expect(json.contains(#""labels":[{"name":"cache","value":"users"},{"name":"result","value":"hit"}]"#))
        #expect(json.contains(#""metric_name":"cache_ops_total""#))
        let decoded = try JSONDecoder().decode(MappingExplanation.self, from: Data(json.utf8))
        #expect(decoded == explanation)
    }
}
