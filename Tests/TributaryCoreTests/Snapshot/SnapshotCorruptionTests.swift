import Testing

@testable import TributaryCore

/// A damaged, foreign, newer or differently mapped snapshot restores what is still valid, never traps, and says
/// what it dropped.
@Suite struct SnapshotCorruptionTests {
    private static let bytes = SnapshotFixture.encode(SnapshotFixture.shards())
    private static let seriesCount = SnapshotFixture.shards().scrapeCopy().liveSeriesCount

    private func restore(
        _ bytes: [UInt8], mapper: CompiledMapper = SnapshotFixture.mapper(), verify: Bool = true
    ) -> (SnapshotRestoreReport, AggregationShards) {
        let shards = AggregationShards(mapper: mapper)
        let report = SnapshotReader.restore(
            bytes, into: shards.all, now: 100 * second, wallClockSeconds: SnapshotFixture.wallClock + 1,
            verifyChecksums: verify)
        return (report, shards)
    }

    @Test func emptyAndForeignFilesAreDroppedWhole() {
        #expect(self.restore([]).0.dropped == [.notASnapshot: 1])
        #expect(self.restore(Array("# HELP up\nup 1\n".utf8)).0.dropped == [.notASnapshot: 1])
        #expect(self.restore(Array(Self.bytes.prefix(20))).0.dropped == [.truncated: 1])
    }

    @Test func anotherVersionIsDroppedWhole() {
        var bytes = Self.bytes
        bytes[8] = 2  // version 2, with the header checksum made to match
        var encoder = SnapshotEncoder(now: 0)
        encoder.write(SnapshotHash.hash(bytes, from: 0, to: 32))
        bytes.replaceSubrange(32..<40, with: encoder.bytes)
        let (report, shards) = self.restore(bytes)
        #expect(report.dropped == [.incompatibleVersion: 1])
        #expect(report.restoredSeries == 0)
        #expect(shards.scrapeCopy().liveSeriesCount == 0)
    }

    @Test func everyTruncationRestoresTheRecordsBeforeTheCut() {
        var previous = -1
        for length in stride(from: 40, to: Self.bytes.count, by: 7) {
            let (report, _) = self.restore(Array(Self.bytes.prefix(length)))
            #expect(!report.complete)
            #expect(report.dropped[.truncated] != nil, "cut at \(length)")
            #expect(report.restoredSeries >= previous)
            previous = report.restoredSeries
        }
        #expect(previous == Self.seriesCount)  // the last cuts only lose the end record
        #expect(self.restore(Array(Self.bytes.prefix(Self.bytes.count / 2))).0.restoredSeries < Self.seriesCount)
    }

    @Test func everyFlippedBitIsCaughtAndCostsAtMostItsRecord() {
        var families = 0
        for index in stride(from: 0, to: Self.bytes.count, by: 3) {
            var bytes = Self.bytes
            bytes[index] ^= 1 << UInt8(index % 8)
            let (report, _) = self.restore(bytes)
            #expect(report.droppedAnything, "flip at \(index) went unnoticed")
            if index >= SnapshotHeader.byteCount { #expect(report.restoredFamilies > 0) }
            families = max(families, report.restoredFamilies)
        }
        #expect(families > 0)
    }

    @Test func randomBytesWithoutChecksumsNeverTrap() {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<300 {
            var bytes = Self.bytes
            for _ in 0..<Int(generator.next() % 8 + 1) {
                let index = Int(generator.next() % UInt64(bytes.count))
                bytes[index] = UInt8(truncatingIfNeeded: generator.next())
            }
            let (_, shards) = self.restore(bytes, verify: false)
            var state = shards.scrapeCopy()
            _ = state.text(now: 200 * second)
            shards.primary.apply("lat.home:5|ms\nrt.a:1|ms\nusers.online:x|s\njobs.done:1|c|#queue:q0", now: 300 * second)
            _ = SnapshotFixture.encode(shards, now: 400 * second)
        }
    }

    @Test func anotherMappingKeepsOnlyFamiliesItStillProduces() throws {
        // latency_seconds now has other buckets; response_seconds is dropped by the rules; the rest is unchanged.
        let changed = SnapshotFixture.mapper(
            """
            mappings:
              - match: "lat.*"
                observer_type: histogram
                histogram_options:
                  buckets: [0.5, 5]
                name: "latency_seconds"
                labels:
                  route: "$1"
              - match: "rt.*"
                action: drop
                name: "dropped"
              - match: "short.*"
                ttl: 30s
                name: "short_lived"
                labels:
                  id: "$1"
            """)
        let (report, shards) = self.restore(Self.bytes, mapper: changed)
        #expect(report.mappingChanged)
        #expect(report.dropped == [.mappingChanged: 3])  // latency: home and api; response: a
        var state = shards.scrapeCopy()
        let exposition = state.exposition(now: 100 * second)
        #expect(exposition.value("jobs_done", ["queue": "q0"]) == 5)
        #expect(exposition.value("pool_used") == -1)
        #expect(exposition.value("latency_seconds_count", ["route": "home"]) == nil)
        #expect(exposition.value("response_seconds_count", ["host": "a"]) == nil)
        // The same mapping text: nothing checked, nothing dropped.
        #expect(!self.restore(Self.bytes).0.mappingChanged)
    }

    @Test func aGaugeSentOnceComesBack() {
        let (report, shards) = self.restore(Self.bytes)
        #expect(report.dropped.isEmpty)
        var state = shards.scrapeCopy()
        #expect(state.exposition(now: 100 * second).value("pool_size") == 15)
    }

    /// A restored native histogram may hold +Inf's bucket (Int32.max) beside a tiny value's: halving the schema and
    /// writing spans must not overflow (live input reaches the same state).
    @Test func infiniteNativeBucketNeverOverflows() {
        var native = NativeHistogramState(schema: 8, maxBuckets: 1)
        native.observe(1e-30, weight: 1)
        native.observe(.infinity, weight: 1)
        native.observe(-.infinity, weight: 1)
        #expect(native.schema == -4)
        let (spans, weights) = NativeHistogramState.spans(native.positive)
        #expect(spans.count == 2 && weights == [1, 1])
        #expect(NativeHistogramState.spans([-1_048_576: 1, Int32.max: 2]).weights == [1, 2])
    }
}
