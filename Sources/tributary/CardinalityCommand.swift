import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TributaryCore

/// `tributary cardinality`: the metric names holding the most series on a running Tributary, as a terminal table
/// (from `GET /api/v1/cardinality`).
///
/// ```
/// tributary cardinality                                   # http://127.0.0.1:9102, 10 metrics
/// tributary cardinality --url http://10.0.0.5:9102 --limit 25 [--json]
/// ```
struct CardinalityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary cardinality",
        abstract: "Show which metric names and labels hold the most series on a running Tributary.",
        discussion: """
            Reads GET /api/v1/cardinality from the web address (plain http only). Each row: a metric name, its type,
            live series, its per-metric budget (from the rule's tributary_max_series_per_metric or
            --limits.max-series-per-metric), samples its budget dropped or folded, and its labels ranked by
            distinct values with example values.
            """
    )

    @Option(help: "Tributary's web address.")
    var url = "http://127.0.0.1:9102"

    @Option(help: "How many metric names to list (1–1000).")
    var limit = 10

    @Flag(help: "Print the API's JSON instead of a table.")
    var json = false

    func validate() throws {
        guard (1...1000).contains(self.limit) else { throw ValidationError("--limit must be from 1 to 1000") }
    }

    func run() throws {
        let client: PlainHTTPGet
        let response: (status: Int, body: [UInt8])
        do {
            client = try PlainHTTPGet(url: self.url)
            response = try client.get("/api/v1/cardinality?limit=\(self.limit)")
        } catch {
            Self.exit(withError: ValidationError(String(describing: error)))
        }
        guard response.status == 200 else {
            let text = String(decoding: response.body, as: UTF8.self).trimmingWhitespace()
            Self.exit(withError: ValidationError("\(self.url) answered \(response.status): \(text.prefix(300))"))
        }
        if self.json {
            print(String(decoding: response.body, as: UTF8.self), terminator: "")
            return
        }
        guard let report = try? JSONDecoder().decode(CardinalityReport.self, from: Data(response.body)) else {
            Self.exit(withError: ValidationError("\(self.url) did not answer with a cardinality report"))
        }
        print(report.table, terminator: "")
    }
}
