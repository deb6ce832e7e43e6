import TributaryCore

/// Writes Tributary's own metric families (`tributary_*`, `process_*`) through any ``ExpositionSink``, the same
/// sinks that write the series.
///
/// Families come in a fixed order with `# HELP` and `# TYPE`; labelled families list every known label value
/// (all ``ParseFailure`` and ``HTTPRequestFailure`` reasons, all ``StorageKind``s, both reload outcomes) even at 0, so rate() and absent()
/// queries work from the first scrape. Names and help follow statsd_exporter's `statsd_exporter_*` families.
package enum SelfMetricsWriter {
    /// Appends the families to `bytes` in the text format 0.0.4 (a ``TextWriter``).
    package static func write(_ snapshot: SelfMetricsSnapshot, into bytes: inout [UInt8]) {
        var sink = TextWriter(appendingTo: bytes)
        bytes = []
        self.write(snapshot, into: &sink)
        bytes = sink.bytes
    }

    /// Passes the families to `sink` (any exposition format): counters and gauges only, no created timestamps.
    package static func write(_ snapshot: SelfMetricsSnapshot, into sink: inout some ExpositionSink) {
        let ingest = snapshot.ingest

        self.counter("tributary_lines_total", "The total number of StatsD lines received.", ingest.lines, &sink)
        self.counter("tributary_samples_total", "The total number of StatsD samples received.", ingest.samples, &sink)

        self.reasons(
            "tributary_sample_errors_total", "The total number of errors parsing StatsD samples.",
            ParseFailure.allCases.map { ($0.label, $0.rawValue) }, ingest.sampleErrors, &sink)

        self.counter(
            "tributary_tags_total", "The total number of DogStatsD tags processed.", ingest.linesWithTags, &sink)
        self.counter(
            "tributary_tag_errors_total", "The number of errors parsing DogStatsD tags.", ingest.tagErrors, &sink)

        sink.beginFamily(FamilyHeader(name: "tributary_events_total", help: "The total number of StatsD events seen.", storage: .counter))
        for (index, type) in [MatchMetricType.counter, .gauge, .observer].enumerated() {
            let value = index < ingest.eventsByType.count ? ingest.eventsByType[index] : 0
            self.sample("tributary_events_total", [("type", type.rawValue)], Double(value), &sink)
        }

        self.counter(
            "tributary_events_unmapped_total", "The total number of StatsD events no mapping was found for.",
            ingest.unmapped, &sink)

        sink.beginFamily(FamilyHeader(name: "tributary_events_actions_total", help: "The total number of StatsD events by action.", storage: .counter))
        self.sample("tributary_events_actions_total", [("action", "drop")], Double(ingest.dropped), &sink)

        self.byMetricName(
            "tributary_events_conflict_total", "The total number of StatsD events with conflicting names.",
            ingest.conflicts, &sink)
        self.byMetricName(
            "tributary_series_limited_total",
            "The total number of samples that would have created a series beyond a --limits budget (dropped or folded).",
            ingest.seriesLimited, &sink)

        sink.beginFamily(FamilyHeader(name: "tributary_dogstatsd_events_total", help: "The total number of DogStatsD events and service checks received (accepted and not exported).", storage: .counter))
        self.sample("tributary_dogstatsd_events_total", [("kind", "event")], Double(ingest.dogStatsDEvents), &sink)
        self.sample(
            "tributary_dogstatsd_events_total", [("kind", "service_check")], Double(ingest.dogStatsDServiceChecks),
            &sink)

        self.counter(
            "tributary_series_expired_total", "The total number of series removed after their TTL.",
            ingest.expiredSeries, &sink)

        let listeners = snapshot.listeners
        self.counter(
            "tributary_udp_packets_total", "The total number of StatsD packets received over UDP.",
            listeners.udpPackets, &sink)
        if let drops = snapshot.udpKernelDrops {
            self.counter(
                "tributary_udp_kernel_drops_total",
                "The total number of UDP datagrams the kernel dropped for the listener sockets (/proc/net/udp drops).",
                drops, &sink)
        }
        self.counter(
            "tributary_unixgram_packets_total", "The total number of StatsD packets received over Unixgram.",
            listeners.unixgramPackets, &sink)
        self.counter(
            "tributary_tcp_connections_total", "The total number of TCP connections handled.",
            listeners.tcpConnections, &sink)
        self.counter(
            "tributary_tcp_connection_errors_total", "The number of errors encountered reading from TCP.",
            listeners.tcpConnectionErrors, &sink)
        self.counter(
            "tributary_tcp_too_long_lines_total", "The number of lines discarded due to being too long.",
            listeners.tcpTooLongLines, &sink)
        self.counter(
            "tributary_tcp_connections_rejected_total",
            "The total number of StatsD TCP connections closed because of --statsd.max-tcp-connections.",
            listeners.tcpConnectionsRejected, &sink)
        sink.beginFamily(FamilyHeader(name: "tributary_tcp_open_connections", help: "The current number of open StatsD TCP connections.", storage: .gauge))
        self.sample("tributary_tcp_open_connections", [], Double(listeners.tcpOpenConnections), &sink)

        if let relay = snapshot.relay { self.writeRelay(relay, into: &sink) }

        self.writeJSONFeed(ingest: ingest, listeners: listeners, into: &sink)

        sink.beginFamily(FamilyHeader(name: "tributary_metrics", help: "The current number of series by metric type.", storage: .gauge))
        for kind in StorageKind.allCases {
            self.sample("tributary_metrics", [("type", kind.label)], Double(snapshot.seriesByKind[kind] ?? 0), &sink)
        }

        sink.beginFamily(FamilyHeader(name: "tributary_config_reloads_total", help: "The number of configuration reloads.", storage: .counter))
        self.sample(
            "tributary_config_reloads_total", [("outcome", "failure")], Double(snapshot.reloadFailures), &sink)
        self.sample(
            "tributary_config_reloads_total", [("outcome", "success")], Double(snapshot.reloadSuccesses), &sink)

        sink.beginFamily(FamilyHeader(name: "tributary_loaded_mappings", help: "The current number of configured metric mappings.", storage: .gauge))
        self.sample("tributary_loaded_mappings", [], Double(snapshot.loadedMappings), &sink)

        sink.beginFamily(FamilyHeader(name: "tributary_build_info", help: "A metric with a constant '1' value labeled by version, revision and swift_version.", storage: .gauge))
        self.sample(
            "tributary_build_info",
            [
                ("revision", snapshot.build.revision), ("swift_version", snapshot.build.swiftVersion),
                ("version", snapshot.build.version),
            ], 1, &sink)

        sink.beginFamily(FamilyHeader(name: "tributary_http_requests_total", help: "The total number of HTTP requests by handler and status code.", storage: .counter))
        let requests = snapshot.httpRequests.sorted { ($0.handler, $0.code) < ($1.handler, $1.code) }
        for request in requests {
            self.sample(
                "tributary_http_requests_total", [("code", String(request.code)), ("handler", request.handler)],
                Double(request.count), &sink)
        }
        self.reasons(
            "tributary_http_request_errors_total",
            "The total number of HTTP requests rejected before reaching a handler, by reason.",
            HTTPRequestFailure.allCases.map { ($0.label, $0.rawValue) }, snapshot.httpRequestErrors, &sink)

        if let storage = snapshot.storage { self.writeStorage(storage, into: &sink) }

        if let start = snapshot.processStartTimeSeconds {
            sink.beginFamily(FamilyHeader(name: "tributary_process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.", storage: .gauge))
            self.sample("tributary_process_start_time_seconds", [], start, &sink)
        }
        if let resident = snapshot.residentMemoryBytes {
            sink.beginFamily(FamilyHeader(name: "tributary_process_resident_memory_bytes", help: "Resident memory size in bytes.", storage: .gauge))
            self.sample("tributary_process_resident_memory_bytes", [], Double(resident), &sink)
        }
    }

    /// The JSON feed families: every object is counted once, in `tributary_json_samples_total` or in
    /// `tributary_json_errors_total{reason}` (every reason listed, even at 0).
    private static func writeJSONFeed(
        ingest: IngestCounts, listeners: SelfMetricsSnapshot.ListenerCounts, into sink: inout some ExpositionSink
    ) {
        self.counter("tributary_json_lines_total", "The total number of JSON feed lines received.", ingest.jsonLines, &sink)
        self.counter(
            "tributary_json_samples_total",
            "The total number of JSON feed objects accepted (applied, or dropped by a mapping rule).",
            ingest.jsonSamples, &sink)
        self.reasons(
            "tributary_json_errors_total", "The total number of rejected JSON feed objects by reason.",
            JSONFeedFailure.allCases.map { ($0.label, $0.rawValue) }, ingest.jsonErrors, &sink)
        self.counter(
            "tributary_json_connections_total", "The total number of JSON feed stream connections accepted.",
            listeners.jsonConnections, &sink)
        self.counter(
            "tributary_json_connections_rejected_total",
            "The total number of JSON feed stream connections closed because of --json.max-connections.",
            listeners.jsonConnectionsRejected, &sink)
        self.counter(
            "tributary_json_connection_errors_total", "The number of errors encountered reading JSON feed streams.",
            listeners.jsonConnectionErrors, &sink)
        sink.beginFamily(FamilyHeader(name: "tributary_json_open_connections", help: "The current number of open JSON feed stream connections.", storage: .gauge))
        self.sample("tributary_json_open_connections", [], Double(listeners.jsonOpenConnections), &sink)
        self.counter(
            "tributary_json_unixgram_packets_total", "The total number of JSON feed datagrams received.",
            listeners.jsonUnixgramPackets, &sink)
    }

    /// The `--statsd.relay.address` families: statsd_exporter's `pkg/relay` names, labelled by target, and the lines
    /// dropped because the relay could not keep up (Tributary's own: statsd_exporter blocks ingest instead).
    private static func writeRelay(_ relay: SelfMetricsSnapshot.RelayCounts, into sink: inout some ExpositionSink) {
        let families: [(String, String, UInt64)] = [
            ("tributary_relay_packets_total", "The number of StatsD packets relayed.", relay.packets),
            ("tributary_relay_long_lines_total", "The number lines that were too long to relay.", relay.longLines),
            (
                "tributary_relay_lines_relayed_total", "The number of lines that were buffered to be relayed.",
                relay.relayedLines
            ),
            (
                "tributary_relay_dropped_lines_total",
                "The number of lines not relayed because the relay queue was full.", relay.droppedLines
            ),
        ]
        for (name, help, value) in families {
            sink.beginFamily(FamilyHeader(name: name, help: help, storage: .counter))
            self.sample(name, [("target", relay.target)], Double(value), &sink)
        }
    }

    /// The `--storage.path` families: the last snapshot written (time, age, duration, size, series), writes and
    /// failures, and what the restore at start put back and dropped (every reason listed, even at 0).
    private static func writeStorage(_ storage: SelfMetricsSnapshot.Storage, into sink: inout some ExpositionSink) {
        let status = storage.status
        self.counter(
            "tributary_snapshot_writes_total", "The total number of state snapshots written (--storage.path).",
            status.writes, &sink)
        self.counter(
            "tributary_snapshot_write_failures_total",
            "The total number of state snapshots that could not be written (see the log for the error).",
            status.writeFailures, &sink)
        if let last = status.lastWriteSeconds {
            self.gauge(
                "tributary_snapshot_last_write_timestamp_seconds",
                "Wall-clock time of the last snapshot written, in seconds since the epoch.", last, &sink)
            self.gauge(
                "tributary_snapshot_age_seconds", "Seconds since the last snapshot was written.",
                max(0, storage.nowSeconds - last), &sink)
            self.gauge(
                "tributary_snapshot_duration_seconds",
                "Seconds the last snapshot took to copy, encode and write (fsync and rename included).",
                status.lastDurationSeconds, &sink)
            self.gauge(
                "tributary_snapshot_size_bytes", "Size of the last snapshot written, in bytes.",
                Double(status.lastSizeBytes), &sink)
            self.gauge(
                "tributary_snapshot_series", "Series in the last snapshot written.", Double(status.lastSeries), &sink)
        }
        let restore = status.restore ?? SnapshotRestoreReport()
        self.gauge(
            "tributary_snapshot_restored_series", "Series restored from the snapshot at start.",
            Double(restore.restoredSeries), &sink)
        self.reasons(
            "tributary_snapshot_restore_dropped_total",
            "What the restore at start dropped, by reason: series (expired, mapping_changed), records of one family (truncated, checksum_mismatch, invalid_value) or the whole file (not_a_snapshot, incompatible_version).",
            SnapshotFailure.allCases.map { ($0.label, $0.rawValue) },
            SnapshotFailure.allCases.map { UInt64(restore.dropped[$0] ?? 0) }, &sink)
    }

    private static func gauge(_ name: String, _ help: String, _ value: Double, _ sink: inout some ExpositionSink) {
        sink.beginFamily(FamilyHeader(name: name, help: help, storage: .gauge))
        self.sample(name, [], value, &sink)
    }

    /// A counter family with one series per failure reason (`reason` label), every reason listed even at 0.
    private static func reasons(
        _ name: String, _ help: String, _ reasons: [(label: String, index: Int)], _ counts: [UInt64], _ sink: inout some ExpositionSink
    ) {
        sink.beginFamily(FamilyHeader(name: name, help: help, storage: .counter))
        for reason in reasons {
            let value = reason.index < counts.count ? counts[reason.index] : 0
            self.sample(name, [("reason", reason.label)], Double(value), &sink)
        }
    }

    /// A whole unlabelled counter family.
    /// A counter family with one series per `metric_name`, sorted by name.
    private static func byMetricName(_ name: String, _ help: String, _ counts: [String: UInt64], _ sink: inout some ExpositionSink) {
        sink.beginFamily(FamilyHeader(name: name, help: help, storage: .counter))
        for metric in counts.keys.sorted() {
            self.sample(name, [("metric_name", metric)], Double(counts[metric]!), &sink)
        }
    }

    private static func counter(_ name: String, _ help: String, _ value: UInt64, _ sink: inout some ExpositionSink) {
        sink.beginFamily(FamilyHeader(name: name, help: help, storage: .counter))
        self.sample(name, [], Double(value), &sink)
    }

    /// One sample line; label names in the order given (callers pass them sorted), values escaped.
    private static func sample(_ name: String, _ labels: [(String, String)], _ value: Double, _ sink: inout some ExpositionSink) {
        var labelText: [UInt8] = []
        for (index, (label, labelValue)) in labels.enumerated() {
            if index > 0 { labelText.append(UInt8(ascii: ",")) }
            labelText.append(contentsOf: label.utf8)
            labelText.append(contentsOf: "=\"".utf8)
            TextFormat.appendEscapedLabelValue(labelValue, to: &labelText)
            labelText.append(UInt8(ascii: "\""))
        }
        let text = String(decoding: labelText, as: UTF8.self)
        // Every self-metrics counter ends in `_total`; every gauge does not.
        if name.hasSuffix("_total") {
            sink.counter(labelText: text, value: value, createdSeconds: nil, exemplar: nil)
        } else {
            sink.gauge(labelText: text, value: value)
        }
    }
}
