import Foundation
import Testing

@testable import TributaryCore

/// Feeds the conformance corpus (`tests/fixtures/conformance/statsd-lines.txt`) to a shard and compares
/// the exposition with what statsd_exporter 0.27.2 exported for it (`expected-statsd-lines.json`).
///
/// Both files are the repository's test data, found relative to this source file (the end-to-end conformance
/// test reads the same files). Values compare numerically; summary quantiles within 10 %, as the fixtures'
/// README allows.
struct ConformanceTests {
    /// `tests/fixtures/conformance` in this checkout.
    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Tests/TributaryCoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // the repository
        .appendingPathComponent("tests/fixtures/conformance")

    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: fixtures.appendingPathComponent(name))
    }

    /// The datagrams of `statsd-lines.txt`: comments and blank lines skipped, a literal `\n` is a line break.
    static func datagrams() throws -> [String] {
        let corpus = try String(decoding: fixture("statsd-lines.txt"), as: UTF8.self)
        return corpus.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            .map { String($0).replacing(#"\n"#, with: "\n") }
    }

    /// `expected-statsd-lines.json`: every sample statsd_exporter 0.27.2 exported, and each family's type.
    struct Golden: Decodable {
        struct Sample: Decodable {
            var name: String
            var labels: [String: String]
            var value: Double
        }
        var samples: [Sample]
        var types: [String: String]
    }

    static func golden() throws -> Golden {
        try JSONDecoder().decode(Golden.self, from: fixture("expected-statsd-lines.json"))
    }

    @Test
    func matchesStatsdExporterOnTheStatsDCorpus() throws {
        let datagrams = try Self.datagrams()
        let golden = try Self.golden()
        let expectedSamples = golden.samples.map {
            Exposition.Sample(name: $0.name, labels: $0.labels, value: $0.value)
        }
        #expect(datagrams.count == 35)
        #expect(expectedSamples.count == 43)
        let shard = AggregationShard()
        for datagram in datagrams { shard.apply(datagram) }
        let exposition = Exposition(parsing: shard.text())
        #expect(exposition.errors.isEmpty)
        #expect(exposition.types == golden.types)

        for expected in expectedSamples {
            let actual = try #require(exposition.value(expected.name, expected.labels), "missing \(expected)")
            let tolerance = expected.labels["quantile"] == nil ? 1e-9 : 0.10
            #expect(approximatelyEqual(actual, expected.value, relative: tolerance), "\(expected) got \(actual)")
        }
        let expectedKeys = Set(expectedSamples.map { SampleKey(name: $0.name, labels: $0.labels) })
        let extra = exposition.samples.filter { !expectedKeys.contains(SampleKey(name: $0.name, labels: $0.labels)) }
        #expect(extra.isEmpty, "extra samples: \(extra)")
        #expect(exposition.samples.count == expectedSamples.count)
    }

    @Test
    func countsTheCorpusRejections() throws {
        var state = ShardState()
        for datagram in try Self.datagrams() { state.apply(datagram) }
        #expect(state.sampleErrors(.negativeCounter) == 1)  // orders_negative
        #expect(state.sampleErrors(.malformedLine) == 2)  // broken, :5|c
        #expect(state.sampleErrors(.malformedValue) == 1)  // broken_value
        #expect(state.sampleErrors(.unknownType) == 2)  // broken_type, broken_in_datagram
        #expect(state.sampleErrors(.typeConflict) == 1)  // clash
        #expect(state.counts.conflicts == ["clash": 1])
    }

    struct SampleKey: Hashable {
        var name: String
        var labels: [String: String]
    }
}
