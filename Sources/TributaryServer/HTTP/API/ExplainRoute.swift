#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TributaryCore

/// `GET /api/v1/explain?line=…`: how the live mapping routes one StatsD line, checked against the live shards.
///
/// Runs on the HTTP thread pool (an extra route of ``HTTPEndpoints``); reads the reloader's current mapper and the
/// shards under their own locks, and keeps no state of its own.
struct ExplainRoute: Sendable {
    let reloader: MappingReloader
    let dialects: TagDialects
    let shards: AggregationShards

    /// Explains `?line=` (percent-encoded; `+` stays a plus, as StatsD gauges need it) with the live mapping and
    /// checks the result against the live shard.
    func respond(_ request: HTTPRequestInfo) -> HTTPResponseInfo {
        guard request.method == "GET" || request.method == "HEAD" else {
            return APIJSON.error(405, "use GET /api/v1/explain?line=<percent-encoded StatsD line>")
        }
        guard let raw = request.queryItems.first(where: { $0.name == "line" })?.value else {
            return APIJSON.error(400, "missing query parameter: line (a percent-encoded StatsD line)")
        }
        guard let line = PercentDecoding.decode(raw) else {
            return APIJSON.error(400, "line is not valid percent-encoded UTF-8")
        }
        guard !line.isEmpty else { return APIJSON.error(400, "line is empty") }
        guard !line.contains(where: { $0 == "\n" || $0 == "\r" }) else {
            return APIJSON.error(400, "line must be a single StatsD line (no newline)")
        }
        let explainer = LineExplainer(mapper: self.reloader.mapper, dialects: self.dialects)
        let explanation = explainer.explain(line: line, decide: { [shards] tags, request in shards.decide(tags: tags, request: request) })
        return .json(200, APIJSON.encode(explanation))
    }
}
