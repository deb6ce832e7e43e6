import Testing

@testable import TributaryCore

/// ShardState behaviour across lines: name collisions, tags, events, sets, expiry, reloads.
extension ShardStateTests {
    @Test
    func rejectsObserverCollidingWithExistingSuffixedName() {
        var summary = ShardState()
        summary.apply("y_count:1|c\ny:1|ms")
        #expect(summary.exposition().types["y"] == nil)
        #expect(summary.counts.conflicts["y"] == 1)

        var histogram = ShardState(mapper: .with(observer: .histogram))
        histogram.apply("other:1|c\nz_bucket:1|c\nz:1|ms")
        #expect(histogram.exposition().types["z"] == nil)
        #expect(histogram.sampleErrors(.typeConflict) == 1)
        #expect(histogram.counts.conflicts["z"] == 1)
    }

    @Test
    func allowsSameNameWithDifferentLabelSets() {
        var state = ShardState()
        state.apply("hits:1|c\nhits:2|c|#env:prod\nhits:3|c|#env:prod,zone:a")
        let exposition = state.exposition()
        #expect(exposition.value("hits") == 1)
        #expect(exposition.value("hits", ["env": "prod"]) == 2)
        #expect(exposition.value("hits", ["env": "prod", "zone": "a"]) == 3)
    }

    @Test
    func treatsTagOrderAsIrrelevant() {
        var state = ShardState()
        state.apply("hits:1|c|#a:1,b:2\nhits:1|c|#b:2,a:1\nhits,b=2,a=1:1|c")
        let exposition = state.exposition()
        #expect(exposition.samples.filter { $0.name == "hits" }.count == 1)
        #expect(exposition.value("hits", ["a": "1", "b": "2"]) == 3)
        #expect(state.counts.linesWithTags == 3)
    }

    @Test
    func escapesMetricNamesAndTagKeys() {
        var state = ShardState()
        state.apply("a.b.c:1|c\nx-y-z:1|c\n9lives:1|c\nweird_tag_key:1|c|#a.b-c:x")
        let exposition = state.exposition()
        #expect(exposition.value("a_b_c") == 1)
        #expect(exposition.value("x_y_z") == 1)
        #expect(exposition.value("_9lives") == 1)
        #expect(exposition.value("weird_tag_key", ["a_b_c": "x"]) == 1)
    }

    @Test
    func rejectsMixedTaggingStyles() {
        var state = ShardState()
        state.apply("m,k=v:1|c|#a:b")
        #expect(state.exposition().samples.isEmpty)
        #expect(state.sampleErrors(.mixedTaggingStyles) == 1)
    }

    @Test
    func countsTagErrorsOnEveryLine() {
        var state = ShardState()
        state.apply("t:1|c|#novalue,a:b\nt:1|c|#novalue,a:b")
        #expect(state.counts.tagErrors == 2)
        #expect(state.exposition().value("t", ["a": "b"]) == 2)
    }

    @Test
    func malformedLineDoesNotAffectNeighbours() {
        var state = ShardState()
        state.apply("good:1|c\nbroken_in_datagram:1|zz\nbroken\n:5|c\nbad:x|c\ngood:1|c")
        let exposition = state.exposition()
        #expect(exposition.value("good") == 2)
        #expect(exposition.samples.count == 1)
        #expect(state.sampleErrors(.unknownType) == 1)
        #expect(state.sampleErrors(.malformedLine) == 2)
        #expect(state.sampleErrors(.malformedValue) == 1)
        #expect(state.counts.lines == 6)
    }

    @Test
    func countsEventsAndServiceChecksWithoutExportingThem() {
        var state = ShardState()
        state.apply("_e{5,4}:title|text\n_sc|name|0\nok:1|c")
        #expect(state.counts.dogStatsDEvents == 1)
        #expect(state.counts.dogStatsDServiceChecks == 1)
        #expect(state.exposition().samples.count == 1)
    }

    @Test
    func rejectsInvalidUTF8InName() {
        var state = ShardState()
        var bytes: [UInt8] = [0xFF, 0xFE] + Array(":1|c\nok:1|c".utf8)
        bytes.withUnsafeMutableBytes { state.apply(lines: UnsafeRawBufferPointer($0), now: 0) }
        #expect(state.sampleErrors(.malformedLine) == 1)
        #expect(state.exposition().value("ok") == 1)
    }

    // MARK: Sets

    @Test
    func countsDistinctSetMembersPerWindow() {
        var state = ShardState(settings: AggregationSettings(setWindowSeconds: 10))
        state.apply("users:alice|s\nusers:bob|s\nusers:alice|s", now: 0)
        #expect(state.exposition(now: 1 * second).types["users"] == "gauge")
        #expect(state.exposition(now: 1 * second).value("users") == 2)  // running count in the first window
        state.apply("users:carol|s", now: 5 * second)
        #expect(state.exposition(now: 9 * second).value("users") == 3)
        state.apply("users:dave|s", now: 11 * second)
        // The first window completed with 3 members; the current one has 1 so far.
        #expect(state.exposition(now: 12 * second).value("users") == 3)
        #expect(state.exposition(now: 21 * second).value("users") == 1)
        // Idle for more than a window: the last completed window was empty.
        #expect(state.exposition(now: 45 * second).value("users") == 0)
    }

    // MARK: TTL and reloads

    @Test
    func expiresSeriesAfterTTLAndRecreatesThemFresh() {
        var state = ShardState(mapper: .with(ttlSeconds: 10))
        state.apply("c:5|c\ng:7|g\nrt:10|ms", now: 0)
        state.apply("c:1|c", now: 8 * second)
        #expect(state.expire(now: 9 * second) == 0)
        #expect(state.expire(now: 10 * second) == 2)  // g and rt: 10 s without a sample
        var exposition = state.exposition(now: 10 * second)
        #expect(exposition.value("c") == 6)
        #expect(exposition.value("g") == nil)
        #expect(exposition.types["rt"] == nil)
        #expect(state.counts.expiredSeries == 2)
        #expect(state.liveSeriesCount == 1)

        #expect(state.expire(now: 18 * second) == 1)
        #expect(state.exposition(now: 18 * second).samples.isEmpty)

        state.apply("c:1|c\ng:+1|g\nrt:20|ms", now: 20 * second)
        exposition = state.exposition(now: 20 * second)
        #expect(exposition.value("c") == 1)
        #expect(exposition.value("g") == 1)
        #expect(exposition.value("rt_count") == 1)
        #expect(approximatelyEqual(exposition.value("rt", ["quantile": "0.5"])!, 0.02))
        #expect(state.liveSeriesCount == 3)
    }

    @Test
    func neverExpiresWithoutTTL() {
        var state = ShardState()
        state.apply("c:5|c", now: 0)
        #expect(state.expire(now: 1_000_000 * second) == 0)
        #expect(state.exposition().value("c") == 5)
    }

    @Test
    func replaceMapperKeepsValues() {
        var state = ShardState()
        state.apply("c:5|c\ng:3|g\nrt:10|ms|#a:b")
        state.replaceMapper(.with(observer: .histogram))
        state.apply("c:1|c\ng:+1|g\nnew_rt:1|ms")
        let exposition = state.exposition()
        #expect(exposition.value("c") == 6)
        #expect(exposition.value("g") == 4)
        #expect(exposition.types["new_rt"] == "histogram")
        // The existing summary stays a summary; an observer now mapped to a histogram clashes with it.
        #expect(exposition.types["rt"] == "summary")
        #expect(exposition.value("rt_count", ["a": "b"]) == 1)
        state.apply("rt:20|ms|#a:b")
        #expect(state.sampleErrors(.typeConflict) == 1)
        #expect(state.counts.conflicts["rt"] == 1)
    }

    @Test
    func seriesCountByKindCountsLiveSeries() {
        var state = ShardState()
        state.apply("a:1|c\nb:1|c|#k:v\nb:1|c|#k:w\ng:1|g\ns:x|s\nt:1|ms")
        let counts = state.seriesCountByKind
        #expect(counts[.counter] == 3)
        #expect(counts[.gauge] == 1)
        #expect(counts[.set] == 1)
        #expect(counts[.summary] == 1)
        #expect(counts[.histogram] == nil)
    }
}
