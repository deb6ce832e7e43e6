import Testing

@testable import TributaryCore

/// Feeds the shared conformance corpus (`shared/conformance/statsd-lines.txt`) to a shard and compares
/// the exposition with what statsd_exporter 0.27.2 exported for it (`expected-statsd-lines.json`).
///
/// Both files are embedded so the test does not depend on paths outside the repository. Values compare
/// numerically; summary quantiles within 10 %, as the conformance README allows.
struct ConformanceTests {
    /// The datagrams of the corpus: comments and blank lines skipped, a literal `\n` is a line break.
    static var datagrams: [String] {
        corpus.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            .map { String($0).replacing(#"\n"#, with: "\n") }
    }

    @Test
    func matchesStatsdExporterOnTheStatsDCorpus() throws {
        let shard = AggregationShard()
        #expect(Self.datagrams.count == 35)
        for datagram in Self.datagrams { shard.apply(datagram) }
        let exposition = Exposition(parsing: shard.text())
        #expect(exposition.errors.isEmpty)
        #expect(exposition.types == Self.expectedTypes)

        for expected in Self.expectedSamples {
            let actual = try #require(exposition.value(expected.name, expected.labels), "missing \(expected)")
            let tolerance = expected.labels["quantile"] == nil ? 1e-9 : 0.10
            #expect(approximatelyEqual(actual, expected.value, relative: tolerance), "\(expected) got \(actual)")
        }
        let expectedKeys = Set(Self.expectedSamples.map { SampleKey(name: $0.name, labels: $0.labels) })
        let extra = exposition.samples.filter { !expectedKeys.contains(SampleKey(name: $0.name, labels: $0.labels)) }
        #expect(extra.isEmpty, "extra samples: \(extra)")
        #expect(exposition.samples.count == Self.expectedSamples.count)
    }

    @Test
    func countsTheCorpusRejections() {
        var state = ShardState()
        for datagram in Self.datagrams { state.apply(datagram) }
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

    /// `statsd-lines.txt`, verbatim: one datagram per line, a literal `\n` separates lines within one.
    static let corpus = #"""
        # One datagram per line; "\n" inside a line separates StatsD lines within one datagram. Comments and blank lines skipped.
        # Counters
        orders:1|c
        orders:2|c
        orders:0.5|c
        orders_sampled:3|c|@0.2
        orders_negative:-3|c
        # Gauges
        temp:20|g
        temp:+2.5|g
        temp:-1|g
        rel_only:+4|g
        # Timers (ms -> s), histograms, distributions
        rt:15|ms
        rt:45|ms
        size:100|h
        size:300|h
        lat:0.2|d
        # DogStatsD tags
        hits:1|c|#env:prod,zone:a
        hits:1|c|#zone:a,env:prod
        hits:5|c|#env:prod,zone:b
        op:12|ms|#op:read
        weird_tag_key:1|c|#a.b-c:x
        # Other tag dialects
        influx_c,k=v:2|c
        librato_c#k=v:3|c
        sfx_c[k=v]:4|c
        # Names that need escaping
        a.b.c:1|c
        x-y-z:1|c
        9lives:1|c
        # Several lines per datagram, Etsy multi-value, extended aggregation
        batch_a:1|c\nbatch_b:10|g\nbatch_a:1|c
        mv:1|c:5|c
        ext:1:2:3|h|#k:v
        # Malformed lines (no series; the good line after them in the same datagram still counts)
        broken
        broken_value:x|c
        broken_type:1|q
        :5|c
        good_neighbour:1|c\nbroken_in_datagram:1|zz\ngood_neighbour:1|c
        # First type wins
        clash:1|g
        clash:1|c
        """#

    /// `expected-statsd-lines.json`: every sample statsd_exporter 0.27.2 exported, and each family's type.
    static let expectedSamples: [Exposition.Sample] = [
        .init(name: "_9lives", labels: [:], value: 1.0),
        .init(name: "a_b_c", labels: [:], value: 1.0),
        .init(name: "batch_a", labels: [:], value: 2.0),
        .init(name: "batch_b", labels: [:], value: 10.0),
        .init(name: "clash", labels: [:], value: 1.0),
        .init(name: "ext", labels: ["k": "v", "quantile": "0.5"], value: 2.0),
        .init(name: "ext", labels: ["k": "v", "quantile": "0.9"], value: 3.0),
        .init(name: "ext", labels: ["k": "v", "quantile": "0.99"], value: 3.0),
        .init(name: "ext_count", labels: ["k": "v"], value: 3.0),
        .init(name: "ext_sum", labels: ["k": "v"], value: 6.0),
        .init(name: "good_neighbour", labels: [:], value: 2.0),
        .init(name: "hits", labels: ["env": "prod", "zone": "a"], value: 2.0),
        .init(name: "hits", labels: ["env": "prod", "zone": "b"], value: 5.0),
        .init(name: "influx_c", labels: ["k": "v"], value: 2.0),
        .init(name: "lat", labels: ["quantile": "0.5"], value: 0.2),
        .init(name: "lat", labels: ["quantile": "0.9"], value: 0.2),
        .init(name: "lat", labels: ["quantile": "0.99"], value: 0.2),
        .init(name: "lat_count", labels: [:], value: 1.0),
        .init(name: "lat_sum", labels: [:], value: 0.2),
        .init(name: "librato_c", labels: ["k": "v"], value: 3.0),
        .init(name: "mv", labels: [:], value: 6.0),
        .init(name: "op", labels: ["op": "read", "quantile": "0.5"], value: 0.012),
        .init(name: "op", labels: ["op": "read", "quantile": "0.9"], value: 0.012),
        .init(name: "op", labels: ["op": "read", "quantile": "0.99"], value: 0.012),
        .init(name: "op_count", labels: ["op": "read"], value: 1.0),
        .init(name: "op_sum", labels: ["op": "read"], value: 0.012),
        .init(name: "orders", labels: [:], value: 3.5),
        .init(name: "orders_sampled", labels: [:], value: 15.0),
        .init(name: "rel_only", labels: [:], value: 4.0),
        .init(name: "rt", labels: ["quantile": "0.5"], value: 0.015),
        .init(name: "rt", labels: ["quantile": "0.9"], value: 0.045),
        .init(name: "rt", labels: ["quantile": "0.99"], value: 0.045),
        .init(name: "rt_count", labels: [:], value: 2.0),
        .init(name: "rt_sum", labels: [:], value: 0.06),
        .init(name: "sfx_c", labels: ["k": "v"], value: 4.0),
        .init(name: "size", labels: ["quantile": "0.5"], value: 100.0),
        .init(name: "size", labels: ["quantile": "0.9"], value: 300.0),
        .init(name: "size", labels: ["quantile": "0.99"], value: 300.0),
        .init(name: "size_count", labels: [:], value: 2.0),
        .init(name: "size_sum", labels: [:], value: 400.0),
        .init(name: "temp", labels: [:], value: 21.5),
        .init(name: "weird_tag_key", labels: ["a_b_c": "x"], value: 1.0),
        .init(name: "x_y_z", labels: [:], value: 1.0),
    ]

    static let expectedTypes: [String: String] = [
        "_9lives": "counter",
        "a_b_c": "counter",
        "batch_a": "counter",
        "batch_b": "gauge",
        "clash": "gauge",
        "ext": "summary",
        "good_neighbour": "counter",
        "hits": "counter",
        "influx_c": "counter",
        "lat": "summary",
        "librato_c": "counter",
        "mv": "counter",
        "op": "summary",
        "orders": "counter",
        "orders_sampled": "counter",
        "rel_only": "gauge",
        "rt": "summary",
        "sfx_c": "counter",
        "size": "summary",
        "temp": "gauge",
        "weird_tag_key": "counter",
        "x_y_z": "counter",
    ]
}
