import Foundation
import TributaryCore

/// `GET /api/v1/unmapped` body: the names no rule matched, first seen first.
struct UnmappedNamesResponse: Encodable {
    struct Entry: Encodable {
        var name: String
        var statsdType: String
        var prometheusName: String
        /// Seconds since the first line shape with this name and type was routed.
        var firstSeenSecondsAgo: Double
        /// Samples received under this name and type since then.
        var samples: UInt64

        enum CodingKeys: String, CodingKey {
            case name
            case statsdType = "statsd_type"
            case prometheusName = "prometheus_name"
            case firstSeenSecondsAgo = "first_seen_seconds_ago"
            case samples
        }
    }

    var limit: Int
    /// Unmapped line shapes not recorded because the list was full.
    var overflow: UInt64
    var names: [Entry]
}

extension TributaryApplication {
    /// `/api/v1/explain`, `/api/v1/unmapped` and `/api/v1/status`, served through `HTTPEndpoints.extraRoutes` on the HTTP thread pool.
    var apiRoutes: [String: HTTPEndpoints.Route] {
        [
            "/api/v1/explain": { [self] request in self.explainRoute(request) },
            "/api/v1/unmapped": { [self] request in self.unmappedRoute(request) },
            "/api/v1/status": { [self] request in self.statusRoute(request) },
        ]
    }

    /// Explains `?line=` (percent-encoded; `+` stays a plus, as StatsD gauges need it) with the live mapping and
    /// checks the result against the live shard.
    func explainRoute(_ request: HTTPRequestInfo) -> HTTPResponseInfo {
        guard request.method == "GET" || request.method == "HEAD" else {
            return APIJSON.error(405, "use GET /api/v1/explain?line=<percent-encoded StatsD line>")
        }
        guard let raw = request.queryItems.first(where: { $0.name == "line" })?.value else {
            return APIJSON.error(400, "missing query parameter: line (a percent-encoded StatsD line)")
        }
        guard let line = raw.removingPercentEncoding else {
            return APIJSON.error(400, "line is not valid percent-encoded UTF-8")
        }
        guard !line.isEmpty else { return APIJSON.error(400, "line is empty") }
        guard !line.contains(where: { $0 == "\n" || $0 == "\r" }) else {
            return APIJSON.error(400, "line must be a single StatsD line (no newline)")
        }
        let explainer = LineExplainer(mapper: self.reloader.mapper, dialects: self.configuration.aggregation.dialects)
        let explanation = explainer.explain(line: line, decide: { [shards] tags, request in shards.decide(tags: tags, request: request) })
        return .json(200, APIJSON.encode(explanation))
    }

    func unmappedRoute(_ request: HTTPRequestInfo) -> HTTPResponseInfo {
        guard request.method == "GET" || request.method == "HEAD" else {
            return APIJSON.error(405, "use GET /api/v1/unmapped")
        }
        let unmapped = self.shards.unmappedNames()
        let now = monotonicNanoseconds()
        let names = unmapped.entries.map { entry in
            UnmappedNamesResponse.Entry(
                name: entry.name, statsdType: entry.type.wireName, prometheusName: entry.prometheusName,
                firstSeenSecondsAgo: Double(now &- min(now, entry.firstSeen)) / 1e9, samples: entry.samples)
        }
        return .json(200, APIJSON.encode(UnmappedNamesResponse(limit: unmapped.limit, overflow: unmapped.overflow, names: names)))
    }
}
