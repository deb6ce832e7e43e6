import Testing

@testable import TributaryCore

/// DogStatsD fields after the type: container id (v1.2), timestamp (v1.3), external env (v1.5) and cardinality
/// (v1.6), in any order, and each of their malformed forms.
struct DogStatsDFieldsTests {
    static let accepted: [ParserCase] = [
        // The Python `datadog` client's order.
        ParserCase("page.views:1|c|#route:/home|c:0123456789abcdef|e:it-false,cn-web,pu-3f1c9a2e|card:orchestrator", .c(1)),
        ParserCase("page.views:1|c|#route:/home|c:abc|e:it-false|card:low|T1700000000", .c(1)),
        // Any order, with or without tags and a rate.
        ParserCase("n:1|c|card:high|e:env|c:abc|#a:b|@0.5", .c(1, rate: 0.5)),
        ParserCase("n:1|c|T1700000000|card:none|#a:b", .c(1)),
        ParserCase("n:2|g|e:it-true", .g(2)),
        ParserCase("n:2|g|card:orchestrator", .g(2)),
        ParserCase("n:3|ms|c:ci-12345", .ms(3)),
        ParserCase("n:3|ms|c:in-12345|e:x|card:low", .ms(3)),
        ParserCase("n:1:2|d|c:abc|card:low", .d(1), .d(2)),
        ParserCase("n:u1|s|e:env|#a:b", .sample(1, .set)),
        // Etsy multi-value is unaffected: a `c` right after a sample's `:` is the type, not a container id.
        ParserCase("n:1|c:2|ms", .c(1), .ms(2)),
        ParserCase("n:1|c:2|c:3|ms", .c(1), .c(2), .ms(3)),
        ParserCase("n:1|c|@0.5:2|c", .c(1, rate: 0.5), .c(2)),
    ]

    static let malformed: [ParserCase] = [
        // Container id: empty, no `:`, another word starting with `c` (statsd_exporter's malformed_container_id).
        ParserCase("n:1|c|#a:b|c:", .failure(.malformedContainerID)),
        ParserCase("n:1|c|#a:b|c", .failure(.malformedContainerID)),
        ParserCase("n:1|c|#a:b|cabc", .failure(.malformedContainerID)),
        ParserCase("n:1|c|#a:b|car:x", .failure(.malformedContainerID)),
        ParserCase("n:1|c|e:x|c:", .failure(.malformedContainerID)),
        ParserCase("n:1|c|card", .failure(.malformedContainerID)),
        // External env and cardinality: empty value.
        ParserCase("n:1|c|#a:b|e:", .failure(.malformedComponent)),
        ParserCase("n:1|c|#a:b|card:", .failure(.malformedComponent)),
        ParserCase("n:1|c|card:", .failure(.malformedComponent)),
        // Not a known field: still unknown_component.
        ParserCase("n:1|c|#a:b|e", .failure(.unknownComponent)),
        ParserCase("n:1|c|#a:b|env:x", .failure(.unknownComponent)),
        ParserCase("n:1|c|#a:b|x:y", .failure(.unknownComponent)),
        ParserCase("n:1|c|#a:b|Tx", .failure(.unknownComponent)),
        // Empty component between fields.
        ParserCase("n:1|c|#a:b||c:abc", .failure(.malformedComponent)),
    ]

    @Test(arguments: Self.accepted)
    func acceptsField(_ testCase: ParserCase) {
        #expect(parseOutcomes(testCase.line) == testCase.expected)
    }

    @Test(arguments: Self.malformed)
    func rejectsMalformedField(_ testCase: ParserCase) {
        #expect(parseOutcomes(testCase.line) == testCase.expected)
        // Malformed is malformed whether or not the container id becomes a label.
        #expect(parseOutcomes(testCase.line, dialects: Self.noContainerLabel) == testCase.expected)
    }

    static let noContainerLabel = TagDialects(
        dogStatsD: true, influxDB: true, librato: true, signalFX: true, containerIDLabel: false)

    struct LabelCase: Sendable, CustomTestStringConvertible {
        var line: String
        var dialects: TagDialects = .all
        var labels: [String: String]
        var testDescription: String { self.line.debugDescription + (self.dialects.containerIDLabel ? "" : " (label off)") }
    }

    @Test(arguments: [
        LabelCase(line: "n:1|c|c:abc", labels: ["container_id": "abc"]),
        LabelCase(line: "n:1|c|#a:b|c:abc|e:x|card:low", labels: ["a": "b", "container_id": "abc"]),
        LabelCase(line: "n:1|c|c:abc|#a:b", labels: ["a": "b", "container_id": "abc"]),
        LabelCase(line: "n:1|c|#a:b|e:x|card:low|T1", labels: ["a": "b"]),
        // A `container_id` tag and the field: the later one wins, as in statsd_exporter.
        LabelCase(line: "n:1|c|#container_id:tag|c:field", labels: ["container_id": "field"]),
        LabelCase(line: "n:1|c|c:field|#container_id:tag", labels: ["container_id": "tag"]),
        // Name-embedded tags mix with the container id (it is not a DogStatsD tag).
        LabelCase(line: "n,k=v:1|c|c:abc", labels: ["k": "v", "container_id": "abc"]),
        LabelCase(line: "n:1|c|#a:b|c:abc", dialects: Self.noContainerLabel, labels: ["a": "b"]),
        LabelCase(line: "n:1|c|c:abc", dialects: Self.noContainerLabel, labels: [:]),
        LabelCase(
            line: "n:1|c|#a:b|c:abc",
            dialects: TagDialects(dogStatsD: false, influxDB: true, librato: true, signalFX: true),
            labels: ["container_id": "abc"]),
    ])
    func containerIDBecomesLabel(_ testCase: LabelCase) throws {
        var state = ShardState(settings: AggregationSettings(dialects: testCase.dialects))
        state.apply(testCase.line)
        let samples = state.exposition().samples.filter { $0.name == "n" }
        #expect(samples.map(\.labels) == [testCase.labels])
        // The explainer resolves the same labels.
        let explanation = LineExplainer(mapper: .empty, dialects: testCase.dialects).explain(line: testCase.line)
        #expect(Dictionary(explanation.tags.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }) == testCase.labels)
    }

    @Test
    func containerIDIsPartOfTheRouteKey() {
        var state = ShardState()
        // Same tags, different containers, in both orders; `|#c:x` (a tag named c) never shares a key with `|c:x`.
        state.apply(
            "n:1|c|#a:b|c:one\nn:2|c|#a:b|c:two\nn:4|c|c:one|#a:b\nn:8|c|#a:b|c:one|T5\nn:16|c|#c:one\nn:32|c|c:one")
        let exposition = state.exposition()
        #expect(exposition.value("n", ["a": "b", "container_id": "one"]) == 13)
        #expect(exposition.value("n", ["a": "b", "container_id": "two"]) == 2)
        #expect(exposition.value("n", ["c": "one"]) == 16)
        #expect(exposition.value("n", ["container_id": "one"]) == 32)
        #expect(state.sampleErrors(.unknownComponent) == 0)
    }

    @Test
    func malformedContainerIDIsCountedAndDropped() {
        var state = ShardState()
        state.apply("n:1|c|#a:b|c:\nn:1|c|c\nn:1|c|#a:b|c:ok")
        #expect(state.sampleErrors(.malformedContainerID) == 2)
        #expect(state.exposition().samples.filter { $0.name == "n" }.count == 1)
        #expect(ParseFailure.malformedContainerID.label == "malformed_container_id")
    }

    struct IgnoredCase: Sendable, CustomTestStringConvertible {
        var line: String
        var dialects: TagDialects = .all
        var ignored: [String]
        var testDescription: String { self.line.debugDescription }
    }

    @Test(arguments: [
        IgnoredCase(line: "n:1|c|#a:b", ignored: []),
        IgnoredCase(
            line: "n:1|c|#a:b|c:abc|e:it-false,cn-web|card:orchestrator|T1700000000",
            ignored: ["e:it-false,cn-web", "card:orchestrator", "T1700000000"]),
        IgnoredCase(line: "n:1|c|c:abc|e:x", dialects: Self.noContainerLabel, ignored: ["c:abc", "e:x"]),
        IgnoredCase(
            line: "n:1|c|#a:b|card:low",
            dialects: TagDialects(dogStatsD: false, influxDB: true, librato: true, signalFX: true),
            ignored: ["#a:b", "card:low"]),
    ])
    func explainerListsIgnoredFields(_ testCase: IgnoredCase) {
        let explanation = LineExplainer(mapper: .empty, dialects: testCase.dialects).explain(line: testCase.line)
        #expect(explanation.error == nil)
        #expect(explanation.ignored == testCase.ignored)
        if !testCase.ignored.isEmpty {
            #expect(explanation.text.contains("  ignored: " + testCase.ignored.map { "|" + $0 }.joined(separator: " ") + "\n"))
        }
    }
}
