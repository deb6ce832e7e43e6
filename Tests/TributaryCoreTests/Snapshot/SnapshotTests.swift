import Testing

@testable import TributaryCore

/// Shared fixtures: a state with every kind (counters with exemplars, gauges, sets, summaries, classic and native
/// histograms, TTLs), written at `writtenAt` (monotonic) / `wallClock` (epoch seconds).
enum SnapshotFixture {
    static let writtenAt: UInt64 = 20 * second
    static let wallClock = 1_700_000_000.0

    static let mapping = """
        mappings:
          - match: "lat.*"
            observer_type: histogram
            histogram_options:
              buckets: [0.01, 0.1, 1]
              native_histogram_bucket_factor: 1.1
            name: "latency_seconds"
            labels:
              route: "$1"
          - match: "rt.*"
            observer_type: summary
            name: "response_seconds"
            labels:
              host: "$1"
          - match: "short.*"
            ttl: 30s
            name: "short_lived"
            labels:
              id: "$1"
        """

    static func mapper(_ yaml: String = mapping) -> CompiledMapper { try! CompiledMapper.load(yaml: yaml) }

    /// One shard (or `count`) holding every kind; series created at 1 s, updated until `writtenAt`.
    static func shards(count: Int = 1, mapper: CompiledMapper = mapper()) -> AggregationShards {
        let shards = AggregationShards(count: count, mapper: mapper)
        shards.setWallClockOffset(seconds: wallClock - 20)
        for (index, shard) in shards.all.enumerated() {
            shard.apply(
                """
                jobs.done:3|c|#queue:q\(index)
                pool.size:15|g
                pool.used:-2|g
                users.online:alice|s
                users.online:bob|s
                lat.home:250|ms
                lat.home:5|ms
                lat.api:2500|ms
                rt.a:12|ms
                rt.a:40|ms
                short.x:1|c
                """, now: 1 * second)
            shard.withState {
                $0.applyJSON(
                    #"{"name":"hits","type":"counter","value":4,"labels":{"code":"200"},"exemplar":{"trace_id":"4bf9","span_id":"00f0"}}"#
                        + "\n" + #"{"name":"lat.home","type":"histogram","value":[0.05],"exemplar":{"trace_id":"t"}}"#,
                    now: 10 * second)
            }
            shard.apply("jobs.done:2|c|#queue:q\(index)\npool.used:+1|g\nusers.online:carol|s", now: 15 * second)
        }
        return shards
    }

    static func encode(_ shards: AggregationShards, now: UInt64 = writtenAt, wallClock: Double = wallClock) -> [UInt8] {
        SnapshotWriter.encode(shards.all.map { $0.scrapeCopy() }, now: now, wallClockSeconds: wallClock)
    }

    static func openMetrics(_ shards: AggregationShards, now: UInt64) -> String {
        var state = shards.scrapeCopy()
        var writer = OpenMetricsWriter()
        state.visit(&writer, now: now)
        return String(decoding: writer.finish(), as: UTF8.self)
    }
}

@Suite struct SnapshotRoundTripTests {
    /// Restored 1 s later (wall clock) into a process whose monotonic clock reads 500 s: what it serves then is
    /// what the old process would have served 1 s after the write.
    @Test(arguments: [1, 3])
    func restoresEveryKindAsItStood(shardCount: Int) throws {
        let original = SnapshotFixture.shards(count: shardCount)
        let bytes = SnapshotFixture.encode(original)
        let restored = AggregationShards(count: shardCount, mapper: SnapshotFixture.mapper())
        let report = SnapshotReader.restore(
            bytes, into: restored.all, now: 500 * second, wallClockSeconds: SnapshotFixture.wallClock + 1)
        #expect(report.complete)
        #expect(report.dropped.isEmpty)
        #expect(!report.mappingChanged)
        #expect(report.restoredSeries == original.all.reduce(0) { $0 + $1.withState { $0.liveSeriesCount } })
        let expected = SnapshotFixture.openMetrics(original, now: SnapshotFixture.writtenAt + 1 * second)
        #expect(SnapshotFixture.openMetrics(restored, now: 500 * second) == expected)
        #expect(expected.contains(#"{trace_id="4bf9",span_id="00f0"} 4"#))
        #expect(expected.contains(#"jobs_done_created{queue="q0"} 1699999981"#))
        // The restored state encodes to the same bytes, native buckets, windows and TTL clocks included.
        let again = SnapshotFixture.encode(restored, now: 500 * second - 1 * second)
        #expect(again == bytes)
    }

    @Test func eachKindRoundTripsThroughItsOwnCoding() throws {
        var state = SnapshotFixture.shards().scrapeCopy()
        state.sortForExposition()
        for family in state.store.families {
            for id in family.series {
                let record = state.store.series[Int(id)]
                var columns = state.store.columns
                var encoder = SnapshotEncoder(now: 0)
                var visitor = EncodeOne(slot: record.slot, encoder: encoder)
                encoder = family.storage.dispatch(&columns, &visitor)
                let bytes = encoder.bytes
                var store = SeriesStore(setWindowNanos: 1)
                let familyID = store.addFamily(family)
                try bytes.withUnsafeBytes { raw in
                    var decoder = SnapshotDecoder(bytes: raw, now: 0, downtimeNanos: 0)
                    _ = try store.addRestoredSeries(
                        family: familyID, labelText: "", ttlNanos: 0, createdSeconds: 0, lastUpdate: 0,
                        decoder: &decoder)
                    #expect(decoder.remaining == 0, "\(family.storage) read back every byte it wrote")
                }
                var roundTrip = SnapshotEncoder(now: 0)
                var columnsAgain = store.columns
                var again = EncodeOne(slot: 0, encoder: roundTrip)
                roundTrip = family.storage.dispatch(&columnsAgain, &again)
                #expect(roundTrip.bytes == bytes, "\(family.name) \(family.storage)")
            }
        }
    }

    @Test func setWindowsAndSummaryWindowsKeepRunningThroughTheDowntime() throws {
        let original = SnapshotFixture.shards()
        let bytes = SnapshotFixture.encode(original)
        let restored = AggregationShards(mapper: SnapshotFixture.mapper())
        // Down for 20 minutes: past the 60 s set window and the 10 min summary max age.
        _ = SnapshotReader.restore(
            bytes, into: restored.all, now: 5000 * second, wallClockSeconds: SnapshotFixture.wallClock + 1200)
        var state = restored.scrapeCopy()
        let exposition = state.exposition(now: 5000 * second)
        #expect(exposition.value("users_online") == 0)
        #expect(exposition.value("response_seconds", ["host": "a", "quantile": "0.5"])?.isNaN == true)
        #expect(exposition.value("response_seconds_count", ["host": "a"]) == 2)
        #expect(exposition.value("jobs_done", ["queue": "q0"]) == 5)
        // Down for 1 s only: the set still counts its window's members and the summary its observations.
        let soon = AggregationShards(mapper: SnapshotFixture.mapper())
        _ = SnapshotReader.restore(bytes, into: soon.all, now: 5000 * second, wallClockSeconds: SnapshotFixture.wallClock + 1)
        var soonState = soon.scrapeCopy()
        let soonExposition = soonState.exposition(now: 5000 * second)
        #expect(soonExposition.value("users_online") == 3)
        #expect(soonExposition.value("response_seconds", ["host": "a", "quantile": "0.5"]) == 0.012)
    }

    @Test func seriesWhoseTTLPassedWhileDownAreNotRestored() throws {
        let bytes = SnapshotFixture.encode(SnapshotFixture.shards())
        let restored = AggregationShards(mapper: SnapshotFixture.mapper())
        // short_lived has a 30 s TTL and was last updated 19 s before the write: 12 s of downtime expire it.
        let report = SnapshotReader.restore(
            bytes, into: restored.all, now: 100 * second, wallClockSeconds: SnapshotFixture.wallClock + 12)
        #expect(report.dropped == [.expired: 1])
        var state = restored.scrapeCopy()
        #expect(state.exposition(now: 100 * second).value("short_lived", ["id": "x"]) == nil)
        // 5 s of downtime do not, and its clock goes on: 19 + 5 s have passed, it expires 6 s after the restore.
        let kept = AggregationShards(mapper: SnapshotFixture.mapper())
        _ = SnapshotReader.restore(bytes, into: kept.all, now: 100 * second, wallClockSeconds: SnapshotFixture.wallClock + 5)
        #expect(kept.primary.expire(now: 105 * second) == 0)
        #expect(kept.primary.expire(now: 106 * second) == 1)
    }

    @Test func ingestContinuesOnRestoredSeries() throws {
        let bytes = SnapshotFixture.encode(SnapshotFixture.shards())
        let restored = AggregationShards(mapper: SnapshotFixture.mapper())
        _ = SnapshotReader.restore(bytes, into: restored.all, now: 5 * second, wallClockSeconds: SnapshotFixture.wallClock)
        restored.primary.apply("jobs.done:10|c|#queue:q0\nlat.home:50|ms", now: 6 * second)
        var state = restored.scrapeCopy()
        let exposition = state.exposition(now: 6 * second)
        #expect(exposition.value("jobs_done", ["queue": "q0"]) == 15)
        #expect(exposition.value("latency_seconds_count", ["route": "home"]) == 4)
    }
}

/// Encodes the value in one slot (tests only).
private struct EncodeOne: ColumnVisitor {
    let slot: Int32
    var encoder: SnapshotEncoder

    mutating func visit<Value: SeriesValue>(_ column: inout ValueColumn<Value>) -> SnapshotEncoder {
        column[self.slot].encode(into: &self.encoder)
        return self.encoder
    }
}
