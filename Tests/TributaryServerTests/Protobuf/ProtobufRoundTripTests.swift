import SwiftProtobuf
import Testing
import TributaryCore

@testable import TributaryServer

/// Protobuf is a sink over the same visit as the text formats: random state encoded as delimited protobuf and read
/// back with swift-protobuf gives the same series and values as the text writer; units and UTF-8 names reach it.
struct ProtobufRoundTripTests {
    /// A shard fed a deterministic pseudo-random mix of every StatsD type.
    static func randomState(seed: UInt64) throws -> ShardState {
        var state = ShardState(
            mapper: try CompiledMapper.load(
                yaml: """
                    mappings:
                      - match: "hist.*"
                        observer_type: histogram
                        histogram_options:
                          buckets: [0.01, 0.1, 1, 10]
                        name: "hist_${1}_seconds"
                    """))
        var x = seed | 1
        func next(_ bound: UInt64) -> UInt64 {
            x ^= x << 13
            x ^= x >> 7
            x ^= x << 17
            return x % bound
        }
        var lines: [String] = []
        for _ in 0..<300 {
            let metric = next(5)
            let tag = next(2) == 0 ? "|#route:/r\(next(3))" : ""
            let value = Double(next(100_000)) / 100
            switch next(5) {
            case 0: lines.append("count_\(metric)_total:\(value)|c\(tag)")
            case 1: lines.append("gauge_\(metric):\(value)|g\(tag)")
            case 2: lines.append("set_\(metric):m\(next(9))|s\(tag)")
            case 3: lines.append("summ_\(metric):\(value)|ms\(tag)")
            default: lines.append("hist.\(metric):\(value)|ms\(tag)")
            }
        }
        var bytes = Array(lines.joined(separator: "\n").utf8)
        bytes.withUnsafeMutableBytes { state.apply(lines: UnsafeRawBufferPointer($0), now: 1) }
        return state
    }

    /// `name{k="v",…,extra="x"} value` lines: series labels sorted, then `le`/`quantile`, as the text format writes them.
    static func lines(_ families: [Io_Prometheus_Client_MetricFamily]) -> [String] {
        var lines: [String] = []
        func line(_ name: String, _ labels: [(String, String)], _ value: Double, extra: (String, String)? = nil) {
            let sorted = (labels.sorted { $0.0 < $1.0 } + (extra.map { [$0] } ?? []))
                .map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",")
            var bytes: [UInt8] = []
            TextFormat.appendValue(value, to: &bytes)
            lines.append((sorted.isEmpty ? name : "\(name){\(sorted)}") + " " + String(decoding: bytes, as: UTF8.self))
        }
        for family in families {
            for metric in family.metric {
                let labels = metric.label.map { ($0.name, $0.value) }
                switch family.type {
                case .counter: line(family.name, labels, metric.counter.value)
                case .gauge: line(family.name, labels, metric.gauge.value)
                case .summary:
                    for quantile in metric.summary.quantile {
                        line(family.name, labels, quantile.value, extra: ("quantile", TextFormat.formatBound(quantile.quantile)))
                    }
                    line(family.name + "_sum", labels, metric.summary.sampleSum)
                    line(family.name + "_count", labels, Double(metric.summary.sampleCount))
                case .histogram:
                    for bucket in metric.histogram.bucket {
                        let count = bucket.cumulativeCountFloat != 0 ? bucket.cumulativeCountFloat : Double(bucket.cumulativeCount)
                        line(family.name + "_bucket", labels, count, extra: ("le", TextFormat.formatBound(bucket.upperBound)))
                    }
                    line(family.name + "_bucket", labels, Double(metric.histogram.sampleCount), extra: ("le", "+Inf"))
                    line(family.name + "_sum", labels, metric.histogram.sampleSum)
                    line(family.name + "_count", labels, Double(metric.histogram.sampleCount))
                default: Issue.record("unexpected type \(family.type)")
                }
            }
        }
        return lines
    }

    @Test(arguments: [7, 99, 2024] as [UInt64])
    func protobufCarriesTheSameSeriesAsText(seed: UInt64) throws {
        var state = try Self.randomState(seed: seed)
        var text: [UInt8] = []
        var copy = state
        copy.writeText(into: &text, now: 2)
        let textLines = String(decoding: text, as: UTF8.self).split(separator: "\n")
            .filter { !$0.hasPrefix("#") }.map(String.init)
        var writer = ProtobufWriter(escaping: .underscores)
        state.visit(&writer, now: 2)
        let families = try ProtobufWriterTests.decode(writer.delimitedBytes())
        #expect(textLines.count > 100)
        #expect(Self.lines(families).sorted() == textLines.sorted())
    }

    @Test func unitsAndUTF8NamesReachProtobuf() throws {
        var state = ShardState()
        let feed = #"{"name":"req_duration_seconds","type":"histogram","value":0.2,"unit":"seconds"}"# + "\n"
            + #"{"name":"my.queue","type":"gauge","value":4}"#
        Array(feed.utf8).withUnsafeBytes { state.applyJSON(lines: $0, now: 0) }
        var bytes = Array("web.hits:1|c".utf8)
        bytes.withUnsafeMutableBytes { state.apply(lines: UnsafeRawBufferPointer($0), now: 0) }

        let legacy = try ProtobufWriterTests.scrape(&state)
        #expect(legacy.map(\.name) == ["my_queue", "req_duration_seconds", "web_hits"])
        #expect(legacy.map(\.unit) == ["", "seconds", ""])
        let utf8 = try ProtobufWriterTests.scrape(&state, escaping: .allowUTF8)
        #expect(utf8.map(\.name) == ["my.queue", "req_duration_seconds", "web.hits"])
    }
}
