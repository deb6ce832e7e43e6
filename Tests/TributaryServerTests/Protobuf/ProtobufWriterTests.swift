import SwiftProtobuf
import Testing
import TributaryCore

@testable import TributaryServer

/// The delimited protobuf exposition, read back through the generated decoder.
struct ProtobufWriterTests {
    /// Splits a delimited body into messages (varint length, message) and decodes each.
    static func decode(_ bytes: [UInt8]) throws -> [Io_Prometheus_Client_MetricFamily] {
        var families: [Io_Prometheus_Client_MetricFamily] = []
        var index = 0
        while index < bytes.count {
            var length = 0
            var shift = 0
            while true {
                let byte = bytes[index]
                index += 1
                length |= Int(byte & 0x7F) << shift
                shift += 7
                if byte < 0x80 { break }
            }
            families.append(try Io_Prometheus_Client_MetricFamily(serializedBytes: Array(bytes[index..<index + length])))
            index += length
        }
        return families
    }

    static func scrape(_ state: inout ShardState, escaping: NameEscaping = .underscores) throws
        -> [Io_Prometheus_Client_MetricFamily]
    {
        var writer = ProtobufWriter(escaping: escaping)
        state.visit(&writer, now: 0)
        return try Self.decode(writer.delimitedBytes())
    }

    @Test func roundTripsEveryKindThroughTheDecoder() throws {
        var state = ShardState(
            mapper: try CompiledMapper.load(
                yaml: """
                    mappings:
                    - match: "lat"
                      observer_type: histogram
                      name: lat
                      histogram_options:
                        buckets: [0.1, 1]
                        native_histogram_bucket_factor: 2
                    - match: "rt"
                      observer_type: summary
                      name: rt
                    """))
        state.wallClockOffsetSeconds = 1_700_000_000.25
        state.apply("hits:3|c|#code:200\ntemp:-1.5|g\nrt:2|ms\nlat:0.05|h\nlat:0.5|h\nlat:3|h\nlat:0|h")
        let feed = #"{"name":"hits","type":"counter","value":1,"labels":{"code":"200"},"#
            + #""exemplar":{"trace_id":"abc","span_id":"def"}}"# + "\n"
            + #"{"name":"quote","type":"gauge","value":1,"labels":{"v":"a\"b\\c\nd"}}"#
        Array(feed.utf8).withUnsafeBytes { state.applyJSON(lines: $0, now: 0) }
        let families = try Self.scrape(&state)
        #expect(families.map(\.name) == ["hits", "lat", "quote", "rt", "temp"])
        #expect(families[2].metric[0].label.map(\.value) == ["a\"b\\c\nd"])

        let hits = families[0]
        #expect(hits.type == .counter)
        #expect(hits.metric[0].label.map { "\($0.name)=\($0.value)" } == ["code=200"])
        #expect(hits.metric[0].counter.value == 4)
        #expect(hits.metric[0].counter.exemplar.label.map(\.value) == ["abc", "def"])
        #expect(hits.metric[0].counter.exemplar.value == 1)
        #expect(hits.metric[0].counter.createdTimestamp.seconds == 1_700_000_000)
        #expect(hits.metric[0].counter.createdTimestamp.nanos == 250_000_000)

        let lat = families[1].metric[0].histogram
        #expect(families[1].type == .histogram)
        #expect(lat.sampleCount == 4)
        #expect(lat.bucket.map(\.upperBound) == [0.1, 1])
        #expect(lat.bucket.map(\.cumulativeCount) == [2, 3])
        #expect(lat.schema == 0)
        #expect(lat.zeroCount == 1)
        #expect(lat.zeroThreshold == NativeHistogramState.defaultZeroThreshold)
        // 0.05 → bucket -4 (2^-5, 2^-4], 0.5 → -1, 3 → 2: spans at -4 (1), gap 2 then -1 (1), gap 2 then 2 (1).
        #expect(lat.positiveSpan.map(\.offset) == [-4, 2, 2])
        #expect(lat.positiveSpan.map(\.length) == [1, 1, 1])
        #expect(lat.positiveDelta == [1, 0, 0])

        #expect(families[3].type == .summary)
        #expect(families[3].metric[0].summary.sampleCount == 1)
        #expect(families[3].metric[0].summary.sampleSum == 0.002)
        #expect(families[4].type == .gauge)
        #expect(families[4].metric[0].gauge.value == -1.5)
    }

    @Test func writesFloatCountsForSampledObservations() throws {
        var state = ShardState(
            mapper: try CompiledMapper.load(
                yaml: """
                    defaults:
                      observer_type: histogram
                      histogram_options:
                        native_histogram_bucket_factor: 1.1
                    mappings: []
                    """))
        state.apply("lat:1|h|@0.3")
        let histogram = try Self.scrape(&state)[0].metric[0].histogram
        #expect(histogram.sampleCount == 0)
        #expect(approximatelyEqual(histogram.sampleCountFloat, 1 / 0.3))
        #expect(histogram.positiveCount.count == 1)
        #expect(histogram.positiveDelta.isEmpty)
        #expect(approximatelyEqual(histogram.bucket[histogram.bucket.count - 1].cumulativeCountFloat, 1 / 0.3))
    }

    @Test func keepsTheInputSpellingUnderAllowUTF8() throws {
        var state = ShardState()
        state.apply("api.requests:1|c")
        #expect(try Self.scrape(&state)[0].name == "api_requests")
        #expect(try Self.scrape(&state, escaping: .allowUTF8)[0].name == "api.requests")
    }
}

private func approximatelyEqual(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(abs(a), abs(b)) }

extension ShardState {
    fileprivate mutating func apply(_ text: String) {
        Array(text.utf8).withUnsafeBytes { self.apply(lines: $0, now: 0) }
    }
}
