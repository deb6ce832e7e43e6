import Testing
@testable import TributaryCore

/// Every text format is a sink over the same visit: the same random state written as text 0.0.4, as text with UTF-8
/// names and as OpenMetrics parses back to the same series and values (protobuf: `ProtobufWriterTests`).
@Suite
struct ExpositionRoundTripTests {
    /// A small deterministic generator (xorshift64*), so a failing seed can be replayed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            self.state ^= self.state >> 12
            self.state ^= self.state << 25
            self.state ^= self.state >> 27
            return self.state &* 2_685_821_657_736_338_717
        }
    }

    /// A shard fed random StatsD lines of every type, with and without tags.
    static func randomState(seed: UInt64) -> ShardState {
        var random = SeededGenerator(state: seed | 1)
        let mapper = try! CompiledMapper.load(
            yaml: """
                mappings:
                  - match: "hist.*"
                    observer_type: histogram
                    histogram_options:
                      buckets: [0.01, 0.1, 1, 10]
                    name: "hist_${1}_seconds"
                """)
        var state = ShardState(mapper: mapper)
        var lines: [String] = []
        for _ in 0..<400 {
            let metric = Int.random(in: 0..<6, using: &random)
            let tag = Bool.random(using: &random) ? "|#route:/r\(Int.random(in: 0..<4, using: &random))" : ""
            let value = Double(Int.random(in: 0..<100_000, using: &random)) / 100
            switch Int.random(in: 0..<5, using: &random) {
            case 0: lines.append("count_\(metric)_total:\(value)|c\(tag)")
            case 1: lines.append("gauge_\(metric):\(value)|g\(tag)")
            case 2: lines.append("set_\(metric):m\(Int.random(in: 0..<9, using: &random))|s\(tag)")
            case 3: lines.append("summ_\(metric):\(value)|ms\(tag)")
            default: lines.append("hist.\(metric):\(value)|ms\(tag)")
            }
        }
        state.apply(lines.joined(separator: "\n"), now: 1)
        return state
    }

    /// The series and values a sink is given, in text 0.0.4 sample names (the reference).
    struct RecordingSink: ExpositionSink {
        var samples: [Exposition.Sample] = []
        var name = ""

        mutating func beginFamily(_ header: FamilyHeader) { self.name = header.name }
        mutating func counter(labelText: String, value: Double, createdSeconds: Double?, exemplar: Exemplar?) {
            self.add("", labelText, value)
        }
        mutating func gauge(labelText: String, value: Double) { self.add("", labelText, value) }
        mutating func summary(
            labelText: String, quantiles: [Double], values: [Double], sum: Double, count: Double,
            createdSeconds: Double?
        ) {
            for (quantile, value) in zip(quantiles, values) {
                self.add("", labelText, value, extra: ("quantile", TextFormat.formatBound(quantile)))
            }
            self.add("_sum", labelText, sum)
            self.add("_count", labelText, count)
        }
        mutating func histogram(labelText: String, bounds: [Double], state: HistogramState, createdSeconds: Double?) {
            var cumulative = 0.0
            for (index, count) in state.counts.enumerated() {
                cumulative += count
                let bound = index < bounds.count ? TextFormat.formatBound(bounds[index]) : "+Inf"
                self.add("_bucket", labelText, cumulative, extra: ("le", bound))
            }
            self.add("_sum", labelText, state.sum)
            self.add("_count", labelText, state.count)
        }

        private mutating func add(_ suffix: String, _ labelText: String, _ value: Double, extra: (String, String)? = nil) {
            var labels = Exposition(parsing: "x{\(labelText)} 0").samples.first?.labels ?? [:]
            if let extra { labels[extra.0] = extra.1 }
            self.samples.append(.init(name: self.name + suffix, labels: labels, value: value))
        }
    }

    static func sorted(_ samples: [Exposition.Sample]) -> [String] { samples.map(\.description).sorted() }

    @Test(arguments: [1, 2, 3, 42, 1234] as [UInt64])
    func everyTextFormatCarriesTheSameSeries(seed: UInt64) {
        var state = Self.randomState(seed: seed)
        var reference = RecordingSink()
        var copy = state
        copy.visit(&reference, now: 2)
        #expect(reference.samples.count > 100)

        var text = TextWriter()
        var copy1 = state
        copy1.visit(&text, now: 2)
        let parsed = Exposition(parsing: String(decoding: text.bytes, as: UTF8.self))
        #expect(parsed.errors.isEmpty)
        #expect(Self.sorted(parsed.samples) == Self.sorted(reference.samples))

        var utf8 = TextWriter(escaping: .allowUTF8)
        var copy2 = state
        copy2.visit(&utf8, now: 2)
        #expect(utf8.bytes == text.bytes, "legacy-valid names are written the same under allow-utf-8")

        var openMetrics = OpenMetricsWriter()
        state.visit(&openMetrics, now: 2)
        let body = String(decoding: openMetrics.finish(), as: UTF8.self)
        #expect(body.hasSuffix("# EOF\n"))
        // OpenMetrics adds `_created` samples and counters' `_total`; the names here already end in `_total`.
        let withoutCreated = body.split(separator: "\n").filter { !$0.contains("_created") }.joined(separator: "\n")
        let parsedOM = Exposition(parsing: withoutCreated)
        #expect(parsedOM.errors.isEmpty)
        #expect(Self.sorted(parsedOM.samples.map { sample in
            var sample = sample
            // OpenMetrics writes bounds and quantiles with a fraction (`1.0`); the reference uses text 0.0.4's `1`.
            for key in ["le", "quantile"] {
                if let value = sample.labels[key], let number = Double(value) { sample.labels[key] = TextFormat.formatBound(number) }
            }
            return sample
        }) == Self.sorted(reference.samples))
    }

    @Test
    func utf8NamesComeOutQuotedWhenNegotiated() {
        var state = ShardState()
        state.apply("my.requests:2|c|#code:200\nmy.latency:5|ms\nplain_total:1|c", now: 1)

        var legacy = TextWriter()
        state.visit(&legacy, now: 2)
        let legacyText = String(decoding: legacy.bytes, as: UTF8.self)
        #expect(legacyText.contains("my_requests{code=\"200\"} 2\n"))
        #expect(!legacyText.contains("\"my.requests\""))

        var utf8 = TextWriter(escaping: .allowUTF8)
        state.visit(&utf8, now: 2)
        let text = String(decoding: utf8.bytes, as: UTF8.self)
        #expect(text.contains("# HELP \"my.requests\" "))
        #expect(text.contains("# TYPE \"my.requests\" counter\n"))
        #expect(text.contains("{\"my.requests\",code=\"200\"} 2\n"))
        #expect(text.contains("{\"my.latency_sum\"} 0.005\n"))
        #expect(text.contains("{\"my.latency\",quantile=\"0.5\"} 0.005\n"))
        #expect(text.contains("plain_total 1\n"))

        var openMetrics = OpenMetricsWriter(escaping: .allowUTF8)
        state.visit(&openMetrics, now: 2)
        let body = String(decoding: openMetrics.finish(), as: UTF8.self)
        #expect(body.contains("{\"my.requests_total\",code=\"200\"} 2\n"))
    }

    @Test
    func utf8HistogramLinesAreQuoted() throws {
        let mapper = try CompiledMapper.load(
            yaml: """
                defaults:
                  observer_type: histogram
                  histogram_options:
                    buckets: [1]
                mappings: []
                """)
        var state = ShardState(mapper: mapper)
        state.apply("db.query:500|ms|#op:select\ndb.query:2000|ms", now: 1)
        var utf8 = TextWriter(escaping: .allowUTF8)
        state.visit(&utf8, now: 2)
        let text = String(decoding: utf8.bytes, as: UTF8.self)
        #expect(text.contains("{\"db.query_bucket\",op=\"select\",le=\"1\"} 1\n"))
        #expect(text.contains("{\"db.query_bucket\",le=\"+Inf\"} 1\n"))
        #expect(text.contains("{\"db.query_sum\",op=\"select\"} 0.5\n"))
        #expect(text.contains("{\"db.query_count\"} 1\n"))
    }

    @Test
    func jsonUnitReachesOpenMetricsWhenTheNameEndsInIt() {
        var state = ShardState()
        state.applyJSON(
            #"{"name":"req_duration_seconds","type":"histogram","value":0.2,"unit":"seconds","help":"Request time."}"#
                + "\n" + #"{"name":"payload","type":"gauge","value":3,"unit":"bytes"}"#, now: 1)
        var openMetrics = OpenMetricsWriter()
        state.visit(&openMetrics, now: 2)
        let body = String(decoding: openMetrics.finish(), as: UTF8.self)
        #expect(body.contains("# TYPE req_duration_seconds histogram\n# UNIT req_duration_seconds seconds\n# HELP req_duration_seconds Request time.\n"))
        // OpenMetrics requires the `_bytes` suffix for a unit; without it the unit is left out, not the family.
        #expect(body.contains("# TYPE payload gauge\n# HELP payload"))
        #expect(!body.contains("# UNIT payload"))

        var headers: [FamilyHeader] = []
        struct HeaderSink: ExpositionSink {
            var headers: [FamilyHeader] = []
            mutating func beginFamily(_ header: FamilyHeader) { self.headers.append(header) }
            mutating func counter(labelText: String, value: Double, createdSeconds: Double?, exemplar: Exemplar?) {}
            mutating func gauge(labelText: String, value: Double) {}
            mutating func summary(labelText: String, quantiles: [Double], values: [Double], sum: Double, count: Double, createdSeconds: Double?) {}
            mutating func histogram(labelText: String, bounds: [Double], state: HistogramState, createdSeconds: Double?) {}
        }
        var sink = HeaderSink()
        state.visit(&sink, now: 2)
        headers = sink.headers
        #expect(headers.map(\.unit) == ["bytes", "seconds"])
    }
}
