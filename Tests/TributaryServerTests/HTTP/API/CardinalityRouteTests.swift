import Foundation
import Testing
import TributaryCore

@testable import TributaryServer

/// `GET /api/v1/cardinality` on shards driven directly.
@Suite struct CardinalityRouteTests {
    private func route(_ lines: String, limits: SeriesLimits = .unlimited) -> CardinalityRoute {
        let shards = AggregationShards(settings: AggregationSettings(limits: limits))
        Array(lines.utf8).withUnsafeBytes { shards.primary.apply(lines: $0, now: 1) }
        return CardinalityRoute(shards: shards)
    }

    private func get(_ route: CardinalityRoute, query: String? = nil) -> HTTPResponseInfo {
        route.respond(HTTPRequestInfo(method: "GET", path: "/api/v1/cardinality", query: query))
    }

    @Test func answersTheReportAsJSON() throws {
        let lines = (0..<12).map { "api.calls:1|c|#user:u\($0)" }.joined(separator: "\n") + "\nup:1|g\nq:1|ms"
        let response = self.get(self.route(lines, limits: SeriesLimits(maxSeries: 1000)), query: "limit=2")
        #expect(response.status == 200)
        #expect(response.headers.first { $0.name == "Content-Type" }?.value == "application/json")
        let report = try JSONDecoder().decode(CardinalityReport.self, from: Data(response.body))
        #expect(report.totalSeries == 14 && report.metricNames == 3 && report.limit == 2 && report.maxSeries == 1000)
        #expect(report.metrics.map(\.name) == ["api_calls", "q"])
        #expect(report.metrics[0].labels.first?.distinctValues == 12)
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text.contains("\"distinct_values\" : 12"))
        #expect(text.contains("\"limited_samples\" : 0"))
    }

    @Test func defaultsToTenMetrics() throws {
        let lines = (0..<15).map { "m\($0):1|c" }.joined(separator: "\n")
        let report = try JSONDecoder().decode(CardinalityReport.self, from: Data(self.get(self.route(lines)).body))
        #expect(report.metrics.count == 10 && report.limit == 10)
    }

    @Test(arguments: ["limit=0", "limit=x", "limit=1001", "limit=-1"])
    func rejectsABadLimit(_ query: String) {
        let response = self.get(self.route("a:1|c"), query: query)
        #expect(response.status == 400)
        #expect(String(decoding: response.body, as: UTF8.self).contains("limit must be an integer from 1 to 1000"))
    }

    @Test func rejectsOtherMethods() {
        let response = self.route("a:1|c").respond(HTTPRequestInfo(method: "POST", path: "/api/v1/cardinality"))
        #expect(response.status == 405)
    }
}
