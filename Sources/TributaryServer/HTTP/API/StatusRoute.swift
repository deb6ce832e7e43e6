import Synchronization
import TributaryCore

/// `GET /api/v1/status`: one cheap snapshot (each shard locked briefly) for the status page's polls.
///
/// Runs on the HTTP thread pool. Keeps no state: counters come from the types that own them (shards,
/// ``IngestStatistics``, ``MappingReloader``, ``Readiness``), each read under its own lock or atomically.
struct StatusRoute: Sendable {
    /// The configured listeners, as the status page lists them.
    let statsd: StatsDListenerConfiguration
    let json: JSONFeedConfiguration
    let webListenAddress: ListenAddress
    let shards: AggregationShards
    let statistics: IngestStatistics
    let reloader: MappingReloader
    let readiness: Readiness
    /// The bound UDP and TCP ports of the StatsD listeners (they differ from the configured ones for port 0).
    let boundPorts: @Sendable () -> (udp: [Int], tcp: [Int])
    /// Monotonic ns when the process started serving, for `uptime_seconds`.
    let startedAt: UInt64
    /// Persistence status; nil when `--storage.path` is not set.
    var snapshots: SnapshotStatus? = nil

    func respond(_ request: HTTPRequestInfo) -> HTTPResponseInfo {
        guard request.method == "GET" || request.method == "HEAD" else {
            return APIJSON.error(405, "use GET /api/v1/status")
        }
        return .json(200, APIJSON.encode(self.status()))
    }

    func status() -> StatusResponse {
        let merged = SelfMetricsSnapshot.merging(self.shards.snapshots())
        let counts = merged.counts
        let listeners = self.statistics.listenerCounts()
        let counters = StatusResponse.Counters(
            lines: counts.lines, samples: counts.samples,
            packets: listeners.udpPackets &+ listeners.unixgramPackets, udpPackets: listeners.udpPackets,
            unixgramPackets: listeners.unixgramPackets, tcpConnections: listeners.tcpConnections,
            tagErrors: counts.tagErrors, unmapped: counts.unmapped, dropped: counts.dropped,
            conflicts: counts.conflicts.values.reduce(0, &+), expiredSeries: counts.expiredSeries,
            jsonLines: counts.jsonLines, jsonSamples: counts.jsonSamples, jsonErrors: counts.jsonErrors.reduce(0, &+),
            jsonUnmapped: counts.jsonUnmapped)
        var errors: [String: UInt64] = [:]
        for failure in ParseFailure.allCases where failure.rawValue < counts.sampleErrors.count {
            errors[failure.label] = counts.sampleErrors[failure.rawValue]
        }
        var jsonErrors: [String: UInt64] = [:]
        for failure in JSONFeedFailure.allCases where failure.rawValue < counts.jsonErrors.count {
            jsonErrors[failure.label] = counts.jsonErrors[failure.rawValue]
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
            ready: self.readiness.isReady, listeners: self.listenerStatus(listeners), counters: counters,
            series: series, errors: errors, jsonErrors: jsonErrors, reload: reload,
            storage: self.snapshots.map { Self.storage($0.current) })
    }

    private static func storage(_ status: SnapshotStatus.Values) -> StatusResponse.Storage {
        var dropped: [String: Int] = [:]
        for (reason, count) in status.restore?.dropped ?? [:] { dropped[reason.label] = count }
        return StatusResponse.Storage(
            path: status.directory, lastWriteTime: status.lastWriteSeconds,
            lastDurationSeconds: status.lastDurationSeconds, lastSizeBytes: status.lastSizeBytes,
            lastSeries: status.lastSeries, writeFailures: status.writeFailures, lastError: status.lastError,
            restoredSeries: status.restore?.restoredSeries ?? 0, restoreDropped: dropped)
    }

    /// Configured listeners with their counts; `bound` comes from readiness (each listener reports ready once
    /// bound, and a UDP port shared with another process fails start-up instead).
    private func listenerStatus(_ counts: SelfMetricsSnapshot.ListenerCounts) -> [StatusResponse.Listener] {
        let missing = Set(self.readiness.missing)
        let ports = self.boundPorts()
        var listeners: [StatusResponse.Listener] = []
        if let udp = self.statsd.udp {
            listeners.append(
                .init(
                    protocol: "statsd", kind: "udp", address: udp.description, bound: !missing.contains("statsd-udp"),
                    port: ports.udp.first, packets: counts.udpPackets,
                    problem: missing.contains(UDPPortWatch.component) ? "shared with another process" : nil))
        }
        if let tcp = self.statsd.tcp {
            listeners.append(
                .init(
                    protocol: "statsd", kind: "tcp", address: tcp.description, bound: !missing.contains("statsd-tcp"),
                    port: ports.tcp.first, connections: counts.tcpConnections,
                    openConnections: counts.tcpOpenConnections, rejectedConnections: counts.tcpConnectionsRejected))
        }
        if let path = self.statsd.unixgramPath {
            listeners.append(
                .init(
                    protocol: "statsd", kind: "unixgram", address: path, bound: !missing.contains("statsd-unixgram"),
                    port: nil, packets: counts.unixgramPackets))
        }
        if let path = self.json.streamPath {
            listeners.append(
                .init(
                    protocol: "json", kind: "unix", address: path, bound: !missing.contains("json-unix"), port: nil,
                    connections: counts.jsonConnections, openConnections: counts.jsonOpenConnections,
                    rejectedConnections: counts.jsonConnectionsRejected))
        }
        if let path = self.json.datagramPath {
            listeners.append(
                .init(
                    protocol: "json", kind: "unixgram", address: path, bound: !missing.contains("json-unixgram"),
                    port: nil, packets: counts.jsonUnixgramPackets))
        }
        listeners.append(
            .init(
                protocol: "http", kind: "http", address: self.webListenAddress.description,
                bound: !missing.contains("http"), port: nil))
        return listeners
    }
}
