import Testing

@testable import TributaryCore

struct UnmappedNamesTests {
    @Test func keepsFirstDistinctNamesUpToTheLimitAndCountsOverflow() {
        var names = UnmappedNames(limit: 2)
        names.record(name: "a", type: .counter, prometheusName: "a", now: 1)
        names.record(name: "a", type: .counter, prometheusName: "a", now: 2)
        names.record(name: "a", type: .gauge, prometheusName: "a", now: 3)
        names.record(name: "b", type: .counter, prometheusName: "b", now: 4)
        names.record(name: "a", type: .counter, prometheusName: "a", now: 5)
        #expect(names.entries.map(\.name) == ["a", "a"])
        #expect(names.entries.map(\.type) == [.counter, .gauge])
        #expect(names.entries.map(\.firstSeen) == [1, 3])
        #expect(names.overflow == 1)
    }

    @Test func shardRecordsUnmappedNamesOnTheSlowPathOnly() throws {
        let mapper = try CompiledMapper.load(yaml: "mappings:\n- match: \"m.*\"\n  name: \"m\"\n")
        let shard = AggregationShard(settings: AggregationSettings(unmappedNamesLimit: 2), mapper: mapper)
        let lines = "m.x:1|c\nu.one:1|c\nu.one:1|c|#k:v\nu.two:1|ms\nu.three:1|g\nu.three:1|g\n"
        Array(lines.utf8).withUnsafeBytes { shard.apply(lines: $0, now: 7) }
        let unmapped = shard.unmappedNames()
        #expect(unmapped.entries.map(\.name) == ["u.one", "u.two"])
        #expect(unmapped.entries.map(\.prometheusName) == ["u_one", "u_two"])
        // u.three's shape is routed once; the second line takes the cached route.
        #expect(unmapped.overflow == 1)
        #expect(shard.snapshot().counts.unmapped == 5)
    }

    @Test func reloadForgetsNamesThatAreNowMapped() throws {
        let shard = AggregationShard()
        Array("u.one:1|c\nu.two:1|c\n".utf8).withUnsafeBytes { shard.apply(lines: $0, now: 1) }
        shard.replaceMapper(try CompiledMapper.load(yaml: "mappings:\n- match: \"u.one\"\n  name: \"one\"\n"))
        #expect(shard.unmappedNames().entries.map(\.name) == ["u.two"])
    }
}

@Suite struct UnmappedNameCountsTests {
    @Test
    func countsSamplesPerUnmappedName() {
        var state = ShardState()
        state.apply("a.b:1|c\na.b:1|c|#k:v\nc.d:2|g\na.b:5|c")
        let entries = state.unmappedNames.entries
        #expect(entries.map(\.name) == ["a.b", "c.d"])
        #expect(entries.map(\.samples) == [3, 1])
    }

    @Test func keepsTheProtocolAndCountsJSONFeedSamples() {
        let shard = AggregationShard(settings: AggregationSettings(unmappedNamesLimit: 10))
        Array("jobs.done:1|c\n".utf8).withUnsafeBytes { shard.apply(lines: $0, now: 1) }
        let json = #"{"name":"jobs.done","type":"counter","value":1}"# + "\n"
            + #"[{"name":"jobs.done","type":"counter","value":2},{"name":"jobs.done","type":"counter","value":1,"x":1}]"#
            + "\n"
        Array(json.utf8).withUnsafeBytes { shard.applyJSON(lines: $0, now: 2) }
        let entries = shard.unmappedNames().entries
        #expect(entries.map(\.name) == ["jobs.done", "jobs.done"])
        #expect(entries.map(\.source) == [.statsd, .json])
        #expect(entries.map(\.samples) == [1, 2])
        let counts = shard.snapshot().counts
        #expect(counts.unmapped == 1)
        #expect(counts.jsonUnmapped == 2)
        #expect(counts.jsonErrors[JSONFeedFailure.unknownField.rawValue] == 1)
    }
}
