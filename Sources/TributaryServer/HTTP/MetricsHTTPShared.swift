import Logging
import NIOCore
import Synchronization
import TributaryCore

/// What every connection of one ``MetricsHTTPServer`` shares: routes, limits, the scrape gate and counters.
///
/// Immutable except `scrapesInFlight`, an atomic taken and released by the connections' event loops (the HTTP
/// group's) around each offloaded scrape.
final class MetricsHTTPShared: Sendable {
    let router: HTTPRouter
    let endpoints: HTTPEndpoints
    let version: String
    let maxConcurrentScrapes: Int
    /// Whether `Accept` may select OpenMetrics (`--web.enable-openmetrics`).
    let enableOpenMetrics: Bool
    let maxRequestBodyBytes: Int
    /// Runs scrapes, gzip, extra routes and reload off the event loop.
    let offload: HTTPOffload
    let requestCounter: HTTPRequestCounter
    let logger: Logger
    /// Scrapes in flight, at most `maxConcurrentScrapes`.
    private let scrapesInFlight = Atomic<Int>(0)

    init(
        router: HTTPRouter, endpoints: HTTPEndpoints, version: String, maxConcurrentScrapes: Int,
        maxRequestBodyBytes: Int, offload: HTTPOffload, requestCounter: HTTPRequestCounter, logger: Logger,
        enableOpenMetrics: Bool = false
    ) {
        self.enableOpenMetrics = enableOpenMetrics
        self.router = router
        self.endpoints = endpoints
        self.version = version
        self.maxConcurrentScrapes = maxConcurrentScrapes
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.offload = offload
        self.requestCounter = requestCounter
        self.logger = logger
    }

    /// Takes a scrape slot; false when all are in use.
    func enterScrape() -> Bool {
        while true {
            let current = self.scrapesInFlight.load(ordering: .relaxed)
            guard current < self.maxConcurrentScrapes else { return false }
            if self.scrapesInFlight.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
                .exchanged
            {
                return true
            }
        }
    }

    func leaveScrape() {
        self.scrapesInFlight.subtract(1, ordering: .relaxed)
    }
}
