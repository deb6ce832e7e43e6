import Synchronization

/// Counts served HTTP responses by handler and status code for `tributary_http_requests_total`.
///
/// One `Mutex`-protected dictionary: a few requests per scrape interval, so contention does not matter.
/// Counts are cumulative since the counter was created.
package final class HTTPRequestCounter: Sendable {
    private struct Key: Hashable {
        var handler: String
        var code: Int
    }

    private let counts = Mutex<[Key: UInt64]>([:])

    package init() {}

    /// Adds one response.
    package func record(handler: String, code: Int) {
        self.counts.withLock { $0[Key(handler: handler, code: code), default: 0] += 1 }
    }

    /// The current counts, sorted by handler then code.
    package func snapshot() -> [HTTPRequestCount] {
        let copy = self.counts.withLock { $0 }
        return copy.map { HTTPRequestCount(handler: $0.key.handler, code: $0.key.code, count: $0.value) }
            .sorted { ($0.handler, $0.code) < ($1.handler, $1.code) }
    }
}
