import Testing
import TributaryCore

@Suite struct JSONFeedAggregationTests {
    private func shard(mapping: String? = nil, jsonMapping: Bool = true) throws -> AggregationShard {
        let mapper = try mapping.map { try CompiledMapper.load(yaml: $0) } ?? .empty
        return AggregationShard(settings: AggregationSettings(jsonFeedMapping: jsonMapping), mapper: mapper)
    }

    private func json(_ shard: AggregationShard, _ text: String) {
        Array(text.utf8).withUnsafeBytes { shard.applyJSON(lines: $0, now: 1) }
    }

    private func statsd(_ shard: AggregationShard, _ text: String) {
        Array(text.utf8).withUnsafeBytes { shard.apply(lines: $0, now: 1) }
    }

    private func text(_ shard: AggregationShard) -> String {
        var bytes: [UInt8] = []
        shard.writeText(into: &bytes, now: 1)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func errors(_ shard: AggregationShard, _ reason: JSONFeedFailure) -> UInt64 {
        shard.snapshot().counts.jsonErrors[reason.rawValue]
    }

    @Test func sharesSeriesWithStatsD() throws {
        let shard = try self.shard()
        self.statsd(shard, "requests:2|c|#route:/a")
        self.json(shard, #"{"name":"requests","type":"counter","value":3,"labels":{"route":"/a"}}"#)
        self.json(shard, #"{"labels":{"route":"/a"},"name":"requests","type":"counter","value":[1,1],"sample_rate":0.5}"#)
        #expect(self.text(shard).contains("requests{route=\"/a\"} 9\n"))
        #expect(shard.snapshot().counts.jsonSamples == 2)
    }

    @Test func appliesEveryType() throws {
        let shard = try self.shard()
        self.json(
            shard,
            """
            {"name":"g","type":"gauge","value":5}
            {"name":"g","type":"gauge","value":2,"op":"add"}
            {"name":"t","type":"timer","value":[250,1500]}
            {"name":"h","type":"histogram","value":0.3,"buckets":[0.1,0.5],"help":"Latency in seconds."}
            {"name":"s","type":"summary","value":[1,2,3]}
            {"name":"u","type":"set","value":["a","b","a"]}
            """)
        let text = self.text(shard)
        #expect(text.contains("g 7\n"))
        #expect(text.contains("# TYPE t summary\n"))
        #expect(text.contains("t_sum 1.75\n"))
        #expect(text.contains("# HELP h Latency in seconds.\n# TYPE h histogram\n"))
        #expect(text.contains("h_bucket{le=\"0.1\"} 0\nh_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"} 1\n"))
        #expect(text.contains("# TYPE s summary\n"))
        #expect(text.contains("s_count 3\n"))
        #expect(text.contains("u 2\n"))
    }

    @Test func appliesScalarAndArrayValuesAlike() throws {
        // A scalar value stays in the sample, an array's go through the scratch: both reach the same series.
        let shard = try self.shard()
        self.json(
            shard,
            """
            {"name":"u","type":"set","value":"a"}
            [{"name":"u","type":"set","value":"b"},{"name":"u","type":"set","value":["a","c"]}]
            {"name":"u","type":"set","value":7}
            {"name":"c","type":"counter","value":2}
            {"name":"c","type":"counter","value":[1,0.5]}
            [{"name":"c","type":"counter","value":4},{"name":"c","type":"counter","value":"x"}]
            """)
        let text = self.text(shard)
        #expect(text.contains("u 4\n"))
        #expect(text.contains("c 7.5\n"))
        #expect(self.errors(shard, .badValue) == 1)
    }

    @Test func bucketsMakeATimerAHistogramInSeconds() throws {
        let shard = try self.shard()
        self.json(shard, #"{"name":"lat","type":"timer","value":200,"buckets":[0.1,1]}"#)
        #expect(self.text(shard).contains("lat_bucket{le=\"0.1\"} 0\nlat_bucket{le=\"1\"} 1\n"))
    }

    @Test func escapesNamesAndLabelKeysAndKeepsUTF8Values() throws {
        let shard = try self.shard()
        self.json(shard, #"{"name":"web.requests-total","type":"counter","value":1,"labels":{"http.method":"GET","city":"Zürich \"Nord\""}}"#)
        #expect(self.text(shard).contains("web_requests_total{city=\"Zürich \\\"Nord\\\"\",http_method=\"GET\"} 1\n"))
    }

    @Test func countsTypeConflictsAndBadLabels() throws {
        let shard = try self.shard()
        self.statsd(shard, "x:1|g")
        self.json(shard, #"{"name":"x","type":"counter","value":1}"#)
        self.json(shard, #"{"name":"y","type":"counter","value":1,"labels":{"a.b":"1","a_b":"2"}}"#)
        self.json(shard, #"{"name":"z","type":"counter","value":1,"labels":{"k":"\udc00"}}"#)
        #expect(self.errors(shard, .typeConflict) == 1)
        #expect(self.errors(shard, .badLabel) == 2)
        #expect(shard.snapshot().counts.conflicts["x"] == 1)
        #expect(shard.snapshot().counts.jsonSamples == 0)
    }

    @Test func mapsNamesUnlessMappingIsOff() throws {
        let yaml = """
            mappings:
            - match: "app.*.hits"
              name: "app_hits_total"
              labels: { service: "$1" }
            """
        let mapped = try self.shard(mapping: yaml)
        self.json(mapped, #"{"name":"app.api.hits","type":"counter","value":2}"#)
        #expect(self.text(mapped).contains("app_hits_total{service=\"api\"} 2\n"))

        let unmapped = try self.shard(mapping: yaml, jsonMapping: false)
        self.json(unmapped, #"{"name":"app.api.hits","type":"counter","value":2}"#)
        #expect(self.text(unmapped).contains("app_api_hits 2\n"))
    }

    @Test func countsEveryObjectOnce() throws {
        let shard = try self.shard()
        self.json(
            shard,
            """
            [{"name":"a","type":"counter","value":1},{"name":"a","type":"counter"},{"name":"b","type":"gauge","value":1}]
            {"name":"a","type":"counter","value":-1}
            garbage
            """)
        let counts = shard.snapshot().counts
        #expect(counts.jsonLines == 3)
        #expect(counts.jsonSamples == 2)
        #expect(counts.jsonErrors.reduce(0, +) == 3)
        shard.countRejectedJSONLine(.lineTooLong)
        #expect(self.errors(shard, .lineTooLong) == 1)
    }
}
