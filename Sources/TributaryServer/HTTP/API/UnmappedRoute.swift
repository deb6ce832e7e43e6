import TributaryCore

/// `GET /api/v1/unmapped`: the names (StatsD or JSON feed) no mapping rule matched, first seen first.
///
/// Runs on the HTTP thread pool; reads the shards' unmapped-name lists under their own locks and keeps no state.
struct UnmappedRoute: Sendable {
    let shards: AggregationShards

    func respond(_ request: HTTPRequestInfo) -> HTTPResponseInfo {
        guard request.method == "GET" || request.method == "HEAD" else {
            return APIJSON.error(405, "use GET /api/v1/unmapped")
        }
        let unmapped = self.shards.unmappedNames()
        let now = monotonicNanoseconds()
        let names = unmapped.entries.map { entry in
            UnmappedNamesResponse.Entry(
                name: entry.name, protocol: entry.source.rawValue, statsdType: entry.type.wireName,
                prometheusName: entry.prometheusName,
                firstSeenSecondsAgo: Double(now &- min(now, entry.firstSeen)) / 1e9, samples: entry.samples)
        }
        let response = UnmappedNamesResponse(limit: unmapped.limit, overflow: unmapped.overflow, names: names)
        return .json(200, APIJSON.encode(response))
    }
}

/// `GET /api/v1/unmapped` body: the names no rule matched, first seen first.
struct UnmappedNamesResponse: Encodable {
    struct Entry: Encodable {
        var name: String
        /// `statsd` or `json` (the JSON feed).
        var `protocol`: String
        /// The StatsD type (a JSON feed type as its StatsD equivalent: `c`, `g`, `ms`, `h`, `s`).
        var statsdType: String
        var prometheusName: String
        /// Seconds since the first line shape with this name and type was routed.
        var firstSeenSecondsAgo: Double
        /// Samples received under this name and type since then.
        var samples: UInt64

        enum CodingKeys: String, CodingKey {
            case name, `protocol`
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
