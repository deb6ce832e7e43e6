/// `GET /api/v1/status` body: what the status page (`/`) shows, as cumulative counters.
///
/// Rates are left to the client: it polls twice and divides the counter deltas by the `uptime_seconds` delta.
struct StatusResponse: Codable, Equatable {
    /// One configured listener, whether it is bound, and what it received (cumulative).
    struct Listener: Codable, Equatable {
        /// `statsd`, `json` (the JSON feed) or `http`.
        var `protocol`: String
        /// `udp`, `tcp`, `unixgram`, `unix` (a Unix stream socket) or `http`.
        var kind: String
        /// The configured address (`host:port`, `:port` or a socket path).
        var address: String
        var bound: Bool
        /// The bound port, when known (differs from the configured one for port 0).
        var port: Int?
        /// Datagrams received (datagram listeners).
        var packets: UInt64? = nil
        /// Connections accepted, open now, and closed at once over the limit (stream listeners).
        var connections: UInt64? = nil
        var openConnections: UInt64? = nil
        var rejectedConnections: UInt64? = nil
        /// Why a bound listener is not fine (`shared with another process`); nil when it is.
        var problem: String? = nil

        enum CodingKeys: String, CodingKey {
            case `protocol`, kind, address, bound, port, packets, connections, problem
            case openConnections = "open_connections"
            case rejectedConnections = "rejected_connections"
        }
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
        /// JSON feed lines, accepted objects, rejected objects (all reasons) and accepted unmapped objects.
        var jsonLines: UInt64
        var jsonSamples: UInt64
        var jsonErrors: UInt64
        var jsonUnmapped: UInt64

        enum CodingKeys: String, CodingKey {
            case lines, samples, packets, unmapped, dropped, conflicts
            case jsonLines = "json_lines"
            case jsonSamples = "json_samples"
            case jsonErrors = "json_errors"
            case jsonUnmapped = "json_unmapped"
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

    /// Persistence (`--storage.path`): the last snapshot written and the restore at start.
    struct Storage: Codable, Equatable {
        var path: String
        /// Seconds since the Unix epoch; nil before the first write.
        var lastWriteTime: Double?
        var lastDurationSeconds: Double
        var lastSizeBytes: Int
        var lastSeries: Int
        var writeFailures: UInt64
        var lastError: String?
        var restoredSeries: Int
        /// What the restore dropped, by reason (`expired`, `checksum_mismatch`, …).
        var restoreDropped: [String: Int]

        enum CodingKeys: String, CodingKey {
            case path
            case lastWriteTime = "last_write_time"
            case lastDurationSeconds = "last_duration_seconds"
            case lastSizeBytes = "last_size_bytes"
            case lastSeries = "last_series"
            case writeFailures = "write_failures"
            case lastError = "last_error"
            case restoredSeries = "restored_series"
            case restoreDropped = "restore_dropped"
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
    /// `json_errors_total` by reason, zeros included.
    var jsonErrors: [String: UInt64]
    var reload: Reload
    /// Nil when `--storage.path` is not set.
    var storage: Storage?

    enum CodingKeys: String, CodingKey {
        case version, ready, listeners, counters, series, errors, reload, storage
        case jsonErrors = "json_errors"
        case uptimeSeconds = "uptime_seconds"
    }
}
