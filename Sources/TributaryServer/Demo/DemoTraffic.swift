#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Emits a realistic web service's metrics as StatsD lines, for the quick start and for trying
/// dashboards and alerts. Scenarios push it into a bad state so alerts can be seen to fire.
package struct DemoTraffic: Sendable {
    package enum Scenario: String, Sendable, CaseIterable {
        case normal
        /// Latency ×8 on every route, event-loop lag up.
        case slow
        /// 15 % of requests fail with 5xx.
        case errors
        /// Heap grows towards its limit.
        case memory
    }

    package var scenario: Scenario
    /// Requests simulated per second.
    package var requestsPerSecond: Int
    var random: SplitMix64
    private var tick: UInt64 = 0
    private var heapUsed = 60.0 * 1024 * 1024

    package init(scenario: Scenario, requestsPerSecond: Int, seed: UInt64 = 42) {
        self.scenario = scenario
        self.requestsPerSecond = requestsPerSecond
        self.random = SplitMix64(seed: seed)
    }

    private static let routes: [(route: String, method: String, medianMs: Double, errorRate: Double)] = [
        ("/api/users", "GET", 18, 0.004),
        ("/api/users", "POST", 35, 0.01),
        ("/api/orders", "GET", 25, 0.006),
        ("/api/orders", "POST", 60, 0.012),
        ("/health", "GET", 1, 0),
    ]

    /// The StatsD lines for one 100 ms step (requests are spread over ten steps per second), named by the
    /// convention of `docs/naming.md` so that `deploy/mapping.yml` lands them on the bundled dashboards' names.
    package mutating func nextLines() -> [String] {
        self.tick &+= 1
        var lines: [String] = []
        let requests = max(1, self.requestsPerSecond / 10)
        let slow = self.scenario == .slow ? 8.0 : 1.0
        var limited = 0
        var rejected = 0
        for _ in 0..<requests {
            let route = Self.routes[Int(self.random.next() % UInt64(Self.routes.count))]
            let latency = route.medianMs * slow * exp(self.random.gaussian() * 0.6)
            let errorRate = self.scenario == .errors && route.route != "/health" ? 0.15 : route.errorRate
            let status = self.random.uniform() < errorRate ? (self.random.uniform() < 0.8 ? "500" : "503") : "200"
            let tags = "route:\(route.route),method:\(route.method),status_code:\(status)"
            lines.append("http.request.duration:\(Self.format(latency))|ms|#\(tags)")
            guard route.route.hasPrefix("/api") else { continue }
            // Cache: 92 % hit ratio.
            lines.append(self.random.uniform() < 0.92 ? "cache.hits:1|c|#cache:users" : "cache.misses:1|c|#cache:users")
            // Database: a few slow queries (> 1 s), many more when the service is slow.
            let slowQuery = self.random.uniform() < (self.scenario == .slow ? 0.03 : 0.002)
            let query = slowQuery ? 1000 + self.random.uniform() * 800 : 4 * slow * exp(self.random.gaussian() * 0.5)
            let operation = route.method == "GET" ? "select" : "insert"
            lines.append("db.query.duration:\(Self.format(query))|ms|#operation:\(operation)")
            limited += 1
            if self.random.uniform() < (self.scenario == .errors ? 0.05 : 0.002) { rejected += 1 }
        }
        lines.append("ratelimiter.requests:\(limited)|c|#limiter:api")
        lines.append("ratelimiter.rejected:\(rejected)|c|#limiter:api")
        // Runtime, every step: one event-loop lag sample per 100 ms.
        let lag = (self.scenario == .slow ? 140 : 12) * exp(self.random.gaussian() * 0.3)
        lines.append("nodejs.eventloop.lag:\(Self.format(lag))|ms")
        let limit = 512.0 * 1024 * 1024
        if self.scenario == .memory {
            self.heapUsed = min(limit * 0.97, self.heapUsed + 1.5 * 1024 * 1024)
        } else {
            let drift = (self.random.uniform() - 0.5) * 4 * 1024 * 1024
            self.heapUsed = max(40 * 1024 * 1024, min(limit * 0.5, self.heapUsed + drift))
        }
        lines.append("nodejs.heap.size.used.bytes:\(Int(self.heapUsed))|g")
        lines.append("nodejs.heap.size.total.bytes:\(Int(min(limit, self.heapUsed * 1.25)))|g")
        lines.append("nodejs.heap.size.limit.bytes:\(Int(limit))|g")
        lines.append("process.resident.memory.bytes:\(Int(self.heapUsed * 1.6))|g")
        if self.tick % 5 == 0 {
            lines.append("nodejs.gc.duration:\(Self.format(2 + self.random.uniform() * 6))|ms|#kind:minor")
        }
        if self.tick % 50 == 0 {
            lines.append("nodejs.gc.duration:\(Self.format(20 + self.random.uniform() * 40))|ms|#kind:major")
        }
        // Pool: min 3, max 15; nearly saturated when the service is slow.
        let active = self.scenario == .slow ? 13 + Int(self.random.uniform() * 3) : 3 + Int(self.random.uniform() * 6)
        lines.append("db.pool.active:\(min(15, active))|g|#pool:main")
        lines.append("db.pool.idle:\(max(0, 6 - active))|g|#pool:main")
        lines.append("db.pool.min:3|g|#pool:main")
        lines.append("db.pool.max:15|g|#pool:main")
        let breakerOpen = self.scenario == .errors && self.tick % 100 > 70
        lines.append("circuitbreaker.state:\(breakerOpen ? 1 : 0)|g|#breaker:payments")
        return lines
    }

    private static func format(_ value: Double) -> String {
        "\((value * 1000).rounded() / 1000)"
    }
}

/// A small deterministic PRNG (SplitMix64) so demo runs are reproducible.
struct SplitMix64: Sendable {
    private var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func uniform() -> Double { Double(self.next() >> 11) / Double(1 << 53) }

    /// A standard normal variate (Box–Muller).
    mutating func gaussian() -> Double {
        let u1 = max(self.uniform(), 1e-12)
        let u2 = self.uniform()
        return sqrt(-2 * log(u1)) * cos(2 * Double.pi * u2)
    }
}
