import Testing

@testable import TributaryCore

struct CardinalityReportTests {
    private func report(
        _ lines: String, yaml: String = "", limits: SeriesLimits = .unlimited, limit: Int = 10
    ) throws -> CardinalityReport {
        let shards = AggregationShards(
            settings: AggregationSettings(limits: limits), mapper: try CompiledMapper.load(yaml: yaml))
        shards.primary.apply(lines)
        return shards.cardinalityReport(limit: limit)
    }

    @Test
    func ranksMetricsBySeriesAndLabelsByDistinctValues() throws {
        var lines = (0..<30).map { "api.calls:1|c|#user:u\($0),env:e\($0 % 2)" }
        lines += (0..<5).map { "db.queries:1|ms|#table:t\($0)" }
        lines += ["up:1|g", "with.escape:1|c|#path:a\"b"]
        let report = try self.report(lines.joined(separator: "\n"), limit: 2)
        #expect(report.totalSeries == 37)
        #expect(report.metricNames == 4)
        #expect(report.metrics.map(\.name) == ["api_calls", "db_queries"])
        let api = report.metrics[0]
        #expect(api.series == 30 && api.type == "counter" && api.budget == 0 && api.budgetSource == "none")
        #expect(api.labels.map(\.name) == ["user", "env"])
        #expect(api.labels.map(\.distinctValues) == [30, 2])
        #expect(api.labels[1].exampleValues == ["e0", "e1"])
        #expect(api.labels[0].exampleValues.count == 3)
        #expect(report.metrics[1].type == "summary")
    }

    @Test
    func unescapesExampleValuesAndTiesByName() throws {
        let report = try self.report("b:1|c|#path:x\\y\na:1|c|#path:a\"b")
        #expect(report.metrics.map(\.name) == ["a", "b"])
        #expect(report.metrics[0].labels[0].exampleValues == ["a\"b"])
        #expect(report.metrics[1].labels[0].exampleValues == ["x\\y"])
    }

    @Test
    func reportsBudgetsAndLimitedSamples() throws {
        let yaml = """
            mappings:
            - match: "ruled.*"
              name: "ruled_total"
              labels: { id: "$1" }
              tributary_max_series_per_metric: 3
            """
        var lines = (0..<10).map { "ruled.\($0):1|c" }
        lines += (0..<4).map { "flagged:1|c|#id:\($0)" }
        let report = try self.report(
            lines.joined(separator: "\n"), yaml: yaml, limits: SeriesLimits(maxSeries: 100, maxSeriesPerMetric: 2))
        #expect(report.maxSeries == 100 && report.overflow == "drop")
        let ruled = try #require(report.metrics.first { $0.name == "ruled_total" })
        #expect(ruled.series == 3 && ruled.budget == 3 && ruled.budgetSource == "rule" && ruled.limitedSamples == 7)
        let flagged = try #require(report.metrics.first { $0.name == "flagged" })
        #expect(flagged.series == 2 && flagged.budget == 2 && flagged.budgetSource == "flag")
        #expect(flagged.limitedSamples == 2)
    }

    @Test
    func topKeepsTheLargestWhenTheLimitIsSmall() throws {
        // Many more families than the limit: the partial selection path.
        var lines = (0..<40).map { "m\($0):1|c" }
        lines += (0..<3).map { "big:1|c|#k:\($0)" } + (0..<2).map { "mid:1|c|#k:\($0)" }
        let report = try self.report(lines.joined(separator: "\n"), limit: 3)
        #expect(report.metrics.map(\.name) == ["big", "mid", "m0"])
        #expect(report.metrics[2].labels.isEmpty)
    }

    @Test
    func countsSeriesOfEveryShard() throws {
        let shards = AggregationShards(count: 2)
        shards.all[0].apply("a:1|c|#k:1\na:1|c|#k:2")
        shards.all[1].apply("a:1|c|#k:3\nb:1|c")
        let report = shards.cardinalityReport(limit: 10)
        #expect(report.metrics.map(\.name) == ["a", "b"])
        #expect(report.metrics[0].series == 3 && report.metrics[0].labels[0].distinctValues == 3)
    }

    @Test
    func rendersATerminalTable() throws {
        let input = (0..<1200).map { "api.calls:1|c|#user:u\($0)" } + ["up:1|g"]
        let report = try self.report(input.joined(separator: "\n"))
        let table = report.table
        #expect(table.hasPrefix("1,201 series in 2 metric names (no overall budget)\n"))
        let lines = table.split(separator: "\n")
        #expect(lines[1].hasPrefix("METRIC     TYPE     SERIES  BUDGET  LIMITED  LABELS"))
        #expect(lines[2].hasPrefix("api_calls  counter   1,200  none          0  user 1,200: u0, u1, u10, …"))
        #expect(lines[3] == "up         gauge         1  none          0")
    }
}
