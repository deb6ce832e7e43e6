import Synchronization
import TributaryCore

/// `GET /api/v1/status` body: what the status page (`/`) shows, as cumulative counters.
///
/// Rates are left to the client: it polls twice and divides the counter deltas by the `uptime_seconds` delta.
struct StatusResponse: Codable, Equatable {
    /// One configured listener and whether it is bound.
    struct Listener: Codable, Equatable {
        /// `udp`, `tcp`, `unixgram` or `http`.
        var kind: String
        /// The configured address (`host:port`, `:port` or a socket path).
        var address: String
        var bound: Bool
        /// The bound port, when known (differs from the configured one for port 0).
        var port: Int?
    }

    /// Cumulative since start.
    struct Counters: Codable, Equatable {
        var lines: UInt64
        var samples: UInt64
        /// UDP plus Unix datagram packets (TCP has connections, not packets).
        var packets: UInt64
        var udpPackets: UInt64
        var unixgramPackets: UInt64
        var tcpConnections: UInt64
        var tagErrors: UInt64
        var unmapped: UInt64
        var dropped: UInt64
        var conflicts: UInt64
        var expiredSeries: UInt64

        enum CodingKeys: String, CodingKey {
            case lines, samples, packets, unmapped, dropped, conflicts
            case udpPackets = "udp_packets"
            case unixgramPackets = "unixgram_packets"
            case tcpConnections = "tcp_connections"
            case tagErrors = "tag_errors"
            case expiredSeries = "expired_series"
        }
    }

    /// The mapping file and the outcome of the last (re)load.
    struct Reload: Codable, Equatable {
        var path: String?
        var rules: Int
        var successes: UInt64
        var failures: UInt64
        /// `success` or `failure`; `nil` before the first load.
        var lastOutcome: String?
        /// Seconds since the Unix epoch.
        var lastTime: Double?
        /// Why the last reload failed (the previous mapping stays active).
        var lastError: String?

        enum CodingKeys: String, CodingKey {
            case path, rules, successes, failures
            case lastOutcome = "last_outcome"
            case lastTime = "last_time"
            case lastError = "last_error"
        }
    }

    var version: String
    var uptimeSeconds: Double
    var ready: Bool
    var listeners: [Listener]
    var counters: Counters
    /// Live series by storage kind (`counter`, `gauge`, `set`, `summary`, `histogram`), zeros included.
    var series: [String: Int]
    /// `sample_errors_total` by reason, zeros included.
    var errors: [String: UInt64]
    var reload: Reload

    enum CodingKeys: String, CodingKey {
        case version, ready, listeners, counters, series, errors, reload
        case uptimeSeconds = "uptime_seconds"
    }
}

extension TributaryApplication {
    /// `/api/v1/status`: one cheap snapshot (each shard locked briefly), for the status page's polls.
    func statusRoute(_ request: HTTPRequestInfo) -> HTTPResponseInfo {
        guard request.method == "GET" || request.method == "HEAD" else {
            return APIJSON.error(405, "use GET /api/v1/status")
        }
        return .json(200, APIJSON.encode(self.status()))
    }

    func status() -> StatusResponse {
        let merged = SelfMetricsSnapshot.merging(self.shards.snapshots())
        let counts = merged.counts
        let udp = self.statistics.value(.udpPackets)
        let unixgram = self.statistics.value(.unixgramPackets)
        let counters = StatusResponse.Counters(
            lines: counts.lines, samples: counts.samples, packets: udp &+ unixgram, udpPackets: udp,
            unixgramPackets: unixgram, tcpConnections: self.statistics.value(.tcpConnections),
            tagErrors: counts.tagErrors, unmapped: counts.unmapped, dropped: counts.dropped,
            conflicts: counts.conflicts.values.reduce(0, &+), expiredSeries: counts.expiredSeries)
        var errors: [String: UInt64] = [:]
        for failure in ParseFailure.allCases where failure.rawValue < counts.sampleErrors.count {
            errors[failure.label] = counts.sampleErrors[failure.rawValue]
        }
        var series: [String: Int] = [:]
        for kind in StorageKind.allCases { series[kind.label] = merged.seriesByKind[kind, default: 0] }
        let last = self.reloader.lastReload
        let reload = StatusResponse.Reload(
            path: self.reloader.path, rules: self.reloader.mapper.ruleCount,
            successes: self.reloader.successes.load(ordering: .relaxed),
            failures: self.reloader.failures.load(ordering: .relaxed),
            lastOutcome: last.map { $0.succeeded ? "success" : "failure" }, lastTime: last?.unixTime,
            lastError: last?.error)
        let now = monotonicNanoseconds()
        return StatusResponse(
            version: TributaryVersion.current,
            uptimeSeconds: Double(now &- min(now, self.startedAt)) / 1e9,
            ready: self.readiness.isReady, listeners: self.listenerStatus(), counters: counters, series: series,
            errors: errors, reload: reload)
    }

    /// Configured listeners; `bound` comes from readiness (each listener reports ready once bound).
    private func listenerStatus() -> [StatusResponse.Listener] {
        let missing = Set(self.readiness.missing)
        let statsd = self.configuration.statsd
        var listeners: [StatusResponse.Listener] = []
        if let udp = statsd.udp {
            listeners.append(
                .init(
                    kind: "udp", address: udp.description, bound: !missing.contains("statsd-udp"),
                    port: self.ingest.boundUDPPorts.first))
        }
        if let tcp = statsd.tcp {
            listeners.append(
                .init(
                    kind: "tcp", address: tcp.description, bound: !missing.contains("statsd-tcp"),
                    port: self.ingest.boundTCPPorts.first))
        }
        if let path = statsd.unixgramPath {
            listeners.append(
                .init(kind: "unixgram", address: path, bound: !missing.contains("statsd-unixgram"), port: nil))
        }
        let web = self.configuration.webListenAddress
        listeners.append(
            .init(kind: "http", address: web.description, bound: !missing.contains("http"), port: nil))
        return listeners
    }
}
