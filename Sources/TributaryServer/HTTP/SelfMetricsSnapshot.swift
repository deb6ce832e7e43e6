import TributaryCore

/// Everything ``SelfMetricsWriter`` exports about Tributary itself, gathered by the caller at scrape time.
///
/// A plain value: the caller merges shard counts (``merging(_:)``), reads listener atomics and `/proc`, and
/// hands it over. All counters are cumulative since start; gauges are current values.
package struct SelfMetricsSnapshot: Sendable {
    /// Per-listener counters, cumulative since start.
    package struct ListenerCounts: Sendable, Equatable {
        package var udpPackets: UInt64 = 0
        package var unixgramPackets: UInt64 = 0
        package var tcpConnections: UInt64 = 0
        package var tcpConnectionErrors: UInt64 = 0
        package var tcpTooLongLines: UInt64 = 0
        package var tcpConnectionsRejected: UInt64 = 0
        /// Open StatsD TCP connections now (a gauge).
        package var tcpOpenConnections: UInt64 = 0
        package var jsonConnections: UInt64 = 0
        package var jsonConnectionsRejected: UInt64 = 0
        package var jsonConnectionErrors: UInt64 = 0
        /// Open JSON stream connections now (a gauge).
        package var jsonOpenConnections: UInt64 = 0
        package var jsonUnixgramPackets: UInt64 = 0

        package init(
            udpPackets: UInt64 = 0, unixgramPackets: UInt64 = 0, tcpConnections: UInt64 = 0,
            tcpConnectionErrors: UInt64 = 0, tcpTooLongLines: UInt64 = 0, jsonConnections: UInt64 = 0,
            jsonConnectionsRejected: UInt64 = 0, jsonConnectionErrors: UInt64 = 0, jsonOpenConnections: UInt64 = 0,
            jsonUnixgramPackets: UInt64 = 0, tcpConnectionsRejected: UInt64 = 0, tcpOpenConnections: UInt64 = 0
        ) {
            self.tcpConnectionsRejected = tcpConnectionsRejected
            self.tcpOpenConnections = tcpOpenConnections
            self.jsonConnections = jsonConnections
            self.jsonConnectionsRejected = jsonConnectionsRejected
            self.jsonConnectionErrors = jsonConnectionErrors
            self.jsonOpenConnections = jsonOpenConnections
            self.jsonUnixgramPackets = jsonUnixgramPackets
            self.udpPackets = udpPackets
            self.unixgramPackets = unixgramPackets
            self.tcpConnections = tcpConnections
            self.tcpConnectionErrors = tcpConnectionErrors
            self.tcpTooLongLines = tcpTooLongLines
        }
    }

    /// `--statsd.relay.address` counters (``StatsDRelay``), cumulative since start.
    package struct RelayCounts: Sendable, Equatable {
        package var target: String
        package var packets: UInt64
        package var relayedLines: UInt64
        package var longLines: UInt64
        package var droppedLines: UInt64

        package init(target: String, packets: UInt64 = 0, relayedLines: UInt64 = 0, longLines: UInt64 = 0, droppedLines: UInt64 = 0) {
            self.target = target
            self.packets = packets
            self.relayedLines = relayedLines
            self.longLines = longLines
            self.droppedLines = droppedLines
        }
    }

    /// `tributary_build_info` labels.
    package struct BuildInfo: Sendable, Equatable {
        package var version: String
        package var revision: String
        package var swiftVersion: String

        package init(version: String, revision: String = "", swiftVersion: String) {
            self.version = version
            self.revision = revision
            self.swiftVersion = swiftVersion
        }
    }

    /// Parse, mapping and expiry counts, merged over all shards.
    package var ingest: IngestCounts
    /// Live series by storage kind, summed over shards.
    package var seriesByKind: [StorageKind: Int]
    package var listeners: ListenerCounts
    /// Kernel receive-buffer drops on the UDP listener (`/proc/net/udp`); `nil` omits the family.
    package var udpKernelDrops: UInt64?
    /// The relay's counters; `nil` (no `--statsd.relay.address`) omits the families.
    package var relay: RelayCounts?
    package var reloadSuccesses: UInt64
    package var reloadFailures: UInt64
    /// Mapping rules in the active configuration.
    package var loadedMappings: Int
    package var build: BuildInfo
    /// HTTP requests served, by handler and status code (``HTTPRequestCounter/snapshot()``).
    package var httpRequests: [HTTPRequestCount]
    /// HTTP requests rejected before routing, indexed by ``HTTPRequestFailure/rawValue``
    /// (``HTTPRequestCounter/failureSnapshot()``).
    package var httpRequestErrors: [UInt64]
    /// Seconds since the Unix epoch; `nil` omits the family.
    package var processStartTimeSeconds: Double?
    /// Resident set size in bytes; `nil` omits the family.
    package var residentMemoryBytes: UInt64?
    /// Persistence (`--storage.path`); `nil` omits the `tributary_snapshot_*` families.
    package var storage: Storage?

    /// The `tributary_snapshot_*` families' values.
    package struct Storage: Sendable, Equatable {
        package var status: SnapshotStatus.Values
        /// Wall-clock seconds now, for the snapshot's age.
        package var nowSeconds: Double

        package init(status: SnapshotStatus.Values, nowSeconds: Double) {
            self.status = status
            self.nowSeconds = nowSeconds
        }
    }

    package init(
        ingest: IngestCounts = IngestCounts(),
        seriesByKind: [StorageKind: Int] = [:],
        listeners: ListenerCounts = ListenerCounts(),
        udpKernelDrops: UInt64? = nil,
        reloadSuccesses: UInt64 = 0,
        reloadFailures: UInt64 = 0,
        loadedMappings: Int = 0,
        build: BuildInfo,
        httpRequests: [HTTPRequestCount] = [],
        httpRequestErrors: [UInt64] = [],
        processStartTimeSeconds: Double? = nil,
        residentMemoryBytes: UInt64? = nil,
        relay: RelayCounts? = nil,
        storage: Storage? = nil
    ) {
        self.relay = relay
        self.storage = storage
        self.ingest = ingest
        self.seriesByKind = seriesByKind
        self.listeners = listeners
        self.udpKernelDrops = udpKernelDrops
        self.reloadSuccesses = reloadSuccesses
        self.reloadFailures = reloadFailures
        self.loadedMappings = loadedMappings
        self.build = build
        self.httpRequests = httpRequests
        self.httpRequestErrors = httpRequestErrors
        self.processStartTimeSeconds = processStartTimeSeconds
        self.residentMemoryBytes = residentMemoryBytes
    }

    /// Sums shard snapshots (``AggregationShard/snapshot()``): counts add, conflict names union.
    package static func merging(
        _ shards: some Sequence<(counts: IngestCounts, seriesByKind: [StorageKind: Int])>
    ) -> (counts: IngestCounts, seriesByKind: [StorageKind: Int]) {
        var total = IngestCounts()
        var series: [StorageKind: Int] = [:]
        for shard in shards {
            total.add(shard.counts)
            for (kind, count) in shard.seriesByKind { series[kind, default: 0] += count }
        }
        return (total, series)
    }
}

/// One `tributary_http_requests_total` series.
package struct HTTPRequestCount: Sendable, Hashable {
    /// The route: the telemetry path, `/-/healthy`, an extra route's path, or `other` for unknown paths.
    package var handler: String
    package var code: Int
    package var count: UInt64

    package init(handler: String, code: Int, count: UInt64) {
        self.handler = handler
        self.code = code
        self.count = count
    }
}
