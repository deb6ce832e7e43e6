import Synchronization

/// Counts served HTTP responses by handler and status code for `tributary_http_requests_total`, and requests
/// rejected before routing by reason for `tributary_http_request_errors_total`.
///
/// `Mutex`-protected tables: a few requests per scrape interval, so contention does not matter.
/// Counts are cumulative since the counter was created.
package final class HTTPRequestCounter: Sendable {
    private struct Key: Hashable {
        var handler: String
        var code: Int
    }

    /// Per-failure count and when the last debug line for it was allowed.
    private struct FailureLog {
        var counts = [UInt64](repeating: 0, count: HTTPRequestFailure.allCases.count)
        /// Monotonic ns of the last allowed log line per failure; nil before the first.
        var lastLogged = [UInt64?](repeating: nil, count: HTTPRequestFailure.allCases.count)
        /// Failures since the last allowed log line (included in the next one).
        var unlogged = [UInt64](repeating: 0, count: HTTPRequestFailure.allCases.count)
    }

    /// One debug line per failure reason per interval at most, like the rejected-line examples of the ingest path.
    package static let failureLogInterval: UInt64 = 1_000_000_000

    private let counts = Mutex<[Key: UInt64]>([:])
    private let failures = Mutex(FailureLog())

    package init() {}

    /// Adds one response.
    package func record(handler: String, code: Int) {
        self.counts.withLock { $0[Key(handler: handler, code: code), default: 0] += 1 }
    }

    /// Adds one rejected request. Returns how many failures of this reason the caller should report in a debug
    /// line (this one and those suppressed since the last line), or nil when a line for it was allowed less than
    /// ``failureLogInterval`` ago.
    ///
    /// - Parameter now: monotonic nanoseconds (`monotonicNanoseconds()`; tests pass their own).
    @discardableResult
    package func recordFailure(_ failure: HTTPRequestFailure, now: UInt64) -> UInt64? {
        self.failures.withLock { log in
            let index = failure.rawValue
            log.counts[index] &+= 1
            log.unlogged[index] &+= 1
            if let last = log.lastLogged[index], now &- last < Self.failureLogInterval { return nil }
            log.lastLogged[index] = now
            defer { log.unlogged[index] = 0 }
            return log.unlogged[index]
        }
    }

    /// The current counts, sorted by handler then code.
    package func snapshot() -> [HTTPRequestCount] {
        let copy = self.counts.withLock { $0 }
        return copy.map { HTTPRequestCount(handler: $0.key.handler, code: $0.key.code, count: $0.value) }
            .sorted { ($0.handler, $0.code) < ($1.handler, $1.code) }
    }

    /// Rejected requests so far, indexed by ``HTTPRequestFailure/rawValue``.
    package func failureSnapshot() -> [UInt64] {
        self.failures.withLock { $0.counts }
    }
}
