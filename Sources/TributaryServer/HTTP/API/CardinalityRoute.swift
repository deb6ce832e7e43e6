import TributaryCore

/// `GET /api/v1/cardinality?limit=N`: the metric names holding the most series, each with its budget, the samples
/// its budget limited and its labels ranked by distinct values (``CardinalityReport``).
///
/// Runs on the HTTP thread pool; computed from a merged scrape copy of the shards (each locked only to copy), so
/// it never holds the ingest lock while it reads series. Keeps no state.
struct CardinalityRoute: Sendable {
    let shards: AggregationShards

    /// Metric names listed when `limit` is not given.
    static let defaultLimit = 10
    /// The largest `limit` accepted (each listed metric's series are read once).
    static let maxLimit = 1000

    func respond(_ request: HTTPRequestInfo) -> HTTPResponseInfo {
        guard request.method == "GET" || request.method == "HEAD" else {
            return APIJSON.error(405, "use GET /api/v1/cardinality?limit=N")
        }
        var limit = Self.defaultLimit
        if let text = request.queryItems.first(where: { $0.name == "limit" })?.value {
            guard let value = Int(text), value >= 1, value <= Self.maxLimit else {
                return APIJSON.error(400, "limit must be an integer from 1 to \(Self.maxLimit), got \"\(text)\"")
            }
            limit = value
        }
        return .json(200, APIJSON.encode(self.shards.cardinalityReport(limit: limit)))
    }
}
