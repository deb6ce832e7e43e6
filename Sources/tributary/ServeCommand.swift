import ArgumentParser
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
import Logging
import TributaryCore
import TributaryServer

/// `tributary [flags]`: receive StatsD, serve Prometheus metrics. Flag names are statsd_exporter's.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary",
        abstract: "Receives StatsD metrics and exports them for Prometheus (a drop-in statsd_exporter replacement).",
        discussion: "An empty value (--statsd.listen-tcp=) turns a listener off.\n\n" + CommandTable.listing,
        version: TributaryVersion.current
    )

    @Option(name: .customLong("web.listen-address"), help: "Address for the web interface and telemetry.")
    var webListenAddress = ":9102"

    @Option(name: .customLong("web.telemetry-path"), help: "Path under which to expose metrics.")
    var telemetryPath = "/metrics"

    @Flag(name: .customLong("web.enable-lifecycle"), help: "Enable reload via HTTP POST/PUT to /-/reload.")
    var enableLifecycle = false

    @Option(name: .customLong("web.config.file"), help: "Exporter-toolkit web config (YAML): tls_server_config and basic_auth_users for every HTTP endpoint.")
    var webConfigFile: String?

    @Flag(
        name: .customLong("web.systemd-socket"), inversion: .prefixedNo,
        help: "Accepted for compatibility (exporter-toolkit): systemd socket activation is not supported, so only the off form is valid.")
    var webSystemdSocket = false

    @Option(name: .customLong("web.idle-timeout"), help: "Close HTTP connections that send no complete request head for this long (Go duration; 0 disables).")
    var webIdleTimeout = "30s"

    @Option(name: .customLong("web.read-timeout"), help: "Close HTTP connections whose request body takes longer than this (Go duration; 0 disables).")
    var webReadTimeout = "10s"

    @Option(name: .customLong("web.max-header-bytes"), help: "Longest HTTP request head (request target and headers, in all and per header); longer ones get 431 and are counted.")
    var webMaxHeaderBytes = MetricsHTTPServer.defaultMaxHeaderBytes

    @Option(name: .customLong("web.shutdown-grace"), help: "On SIGTERM/SIGINT, keep answering HTTP this long after the listeners stopped (Go duration).")
    var webShutdownGrace = "0s"
    @Flag(
        name: .customLong("web.enable-openmetrics"),
        help: "Serve OpenMetrics 1.0 (exemplars, _created) to scrapers that ask for it. Prometheus then adds _total to counters that lack it.")
    var enableOpenMetrics = false

    @Option(name: .customLong("statsd.listen-udp"), help: "UDP address for StatsD; empty disables.")
    var listenUDP = ":9125"

    @Option(name: .customLong("statsd.listen-tcp"), help: "TCP address for StatsD; empty disables.")
    var listenTCP = ":9125"

    @Option(name: .customLong("statsd.listen-unixgram"), help: "Unix datagram socket path for StatsD; empty disables.")
    var listenUnixgram = ""

    @Option(name: .customLong("statsd.unixsocket-mode"), help: "File mode of the Unix datagram socket (octal).")
    var unixSocketMode = "660"

    @Option(name: .customLong("statsd.read-buffer"), help: "Size (bytes) of the kernel receive buffer; default 16 MiB (SO_RCVBUFFORCE when permitted, else capped by net.core.rmem_max).")
    var readBuffer: Int?

    @Option(name: .customLong("statsd.udp-readers"), help: "UDP reader threads (SO_REUSEPORT sockets on the same address).")
    var udpReaders = 1

    @Option(
        name: .customLong("statsd.ingest-threads"),
        help: "Threads that parse and aggregate UDP lines, one shard each; UDP readers hand them batches by metric name. 1 parses on the reader thread.")
    var ingestThreads = 1

    @Option(name: .customLong("statsd.mapping-config"), help: "Metric mapping configuration file (statsd_exporter's YAML).")
    var mappingConfig: String?

    @Option(name: .customLong("statsd.cache-size"), help: "Accepted for compatibility: Tributary caches every line shape per shard.")
    var cacheSize = 1000

    @Option(name: .customLong("statsd.cache-type"), help: "Accepted for compatibility (lru, random).")
    var cacheType = "lru"

    @Option(name: .customLong("statsd.event-queue-size"), help: "Accepted, no effect: Tributary has no event queue.")
    var eventQueueSize = 10000

    @Option(name: .customLong("statsd.event-flush-threshold"), help: "Accepted, no effect: Tributary has no event queue.")
    var eventFlushThreshold = 1000

    @Option(name: .customLong("statsd.event-flush-interval"), help: "Accepted, no effect: Tributary has no event queue.")
    var eventFlushInterval = "200ms"

    @Option(name: .customLong("statsd.udp-packet-queue-size"), help: "Accepted, no effect: datagrams are applied as they are read.")
    var udpPacketQueueSize = 10000

    @OptionGroup var tagOptions: TagDialectOptions

    @Option(name: .customLong("statsd.relay.address"), help: "Relay every StatsD line received, unparsed, to this UDP host:port.")
    var relayAddress: String?

    @Option(name: .customLong("statsd.relay.packet-length"), help: "Longest relayed UDP packet in bytes; longer lines are not relayed (counted).")
    var relayPacketLength = 1400

    @Option(name: .customLong("statsd.relay.queue-bytes"), help: "Most bytes of lines waiting for the relay thread; when the relay cannot keep up, further lines are dropped and counted (ingest never waits).")
    var relayQueueBytes = 4 * 1024 * 1024

    @Option(name: .customLong("debug.dump-fsm"), help: "Write the glob mapping matcher as a Graphviz dot file here, at start and on every reload.")
    var dumpFSM: String?

    @Option(name: .customLong("statsd.set-window"), help: "Seconds over which a StatsD set (|s) counts distinct members.")
    var setWindowSeconds = 60.0

    @Option(name: .customLong("mapping.unmapped-names-limit"), help: "How many distinct unmapped metric names /api/v1/unmapped remembers.")
    var unmappedNamesLimit = 1000

    @Option(name: .customLong("json.listen-unix"), help: "Unix stream socket path for the JSON feed; empty disables.")
    var jsonListenUnix = ""

    @Option(name: .customLong("json.listen-unixgram"), help: "Unix datagram socket path for the JSON feed; empty disables.")
    var jsonListenUnixgram = ""

    @Option(name: .customLong("json.unixsocket-mode"), help: "File mode of the JSON feed sockets (octal).")
    var jsonSocketMode = "660"

    @Option(name: .customLong("json.unixsocket-group"), help: "Group (name or gid) of the JSON feed sockets.")
    var jsonSocketGroup: String?

    @Option(name: .customLong("json.max-line-bytes"), help: "Longest JSON feed line; longer lines are counted and skipped.")
    var jsonMaxLineBytes = JSONFeedConfiguration.defaultMaxLineBytes

    @Option(name: .customLong("json.max-connections"), help: "Concurrent JSON feed stream connections; more are closed.")
    var jsonMaxConnections = 256

    @Flag(name: .customLong("json.disable-mapping"), help: "Do not apply the mapping rules to JSON feed names.")
    var jsonDisableMapping = false

    @Option(name: .customLong("statsd.max-line-bytes"), help: "Longest StatsD line (TCP, UDP, Unix datagram); longer lines are counted (reason line_too_long) and skipped.")
    var statsdMaxLineBytes = 65536

    @Option(name: .customLong("statsd.max-tcp-connections"), help: "Concurrent StatsD TCP connections; more are closed and counted.")
    var maxTCPConnections = 256

    @Option(name: .customLong("limits.max-labels"), help: "Most labels on one series; samples with more are rejected (reason too_many_labels); 0 = unlimited.")
    var maxLabels = SeriesLimits.defaultMaxLabels

    @Option(name: .customLong("limits.max-label-value-bytes"), help: "Longest label value in bytes; samples with longer ones are rejected (reason label_value_too_long); 0 = unlimited.")
    var maxLabelValueBytes = SeriesLimits.defaultMaxLabelValueBytes

    @Option(name: .customLong("limits.max-series"), help: "Most series over all metrics; 0 = unlimited. New series beyond it are dropped.")
    var maxSeries = 0

    @Option(name: .customLong("limits.max-series-per-metric"), help: "Most series per metric name; 0 = unlimited.")
    var maxSeriesPerMetric = 0

    @Option(name: .customLong("limits.overflow"), help: "A sample for a new series beyond a budget: drop, or fold into one tributary_overflow=\"true\" series per metric.")
    var limitsOverflow = "drop"

    @Option(name: .customLong("storage.path"), help: "Directory for a snapshot of the series state, restored at start so counters continue over a restart; empty (default) keeps no state.")
    var storagePath = ""

    @Option(name: .customLong("storage.snapshot-interval"), help: "How often the state snapshot is written (Go duration); one more is written on SIGTERM.")
    var snapshotInterval = "5s"

    @Option(name: .customLong("log.level"), help: "Only log messages with the given severity or above: debug, info, warn, error.")
    var logLevel = "info"

    @Option(name: .customLong("log.format"), help: "Output format of log messages: logfmt, json.")
    var logFormat = "logfmt"

    @Flag(name: .customLong("check-config"), help: "Check the mapping configuration and the web config file (when given) and exit (0 valid, 1 invalid).")
    var checkConfig = false

    func validate() throws {
        guard LineLogHandler.level(named: self.logLevel) != nil else {
            throw ValidationError("--log.level must be one of debug, info, warn, error (got \"\(self.logLevel)\")")
        }
        guard LineLogHandler.Format(rawValue: self.logFormat) != nil else {
            throw ValidationError("--log.format must be logfmt or json (got \"\(self.logFormat)\")")
        }
        guard !self.webSystemdSocket else {
            throw ValidationError("--web.systemd-socket: systemd socket activation is not supported; use --web.listen-address")
        }
        guard ["lru", "random"].contains(self.cacheType) else {
            throw ValidationError("--statsd.cache-type must be lru or random (got \"\(self.cacheType)\")")
        }
        guard self.telemetryPath.hasPrefix("/") else {
            throw ValidationError("--web.telemetry-path must start with / (got \"\(self.telemetryPath)\")")
        }
        guard mode_t(self.unixSocketMode, radix: 8) != nil else {
            throw ValidationError("--statsd.unixsocket-mode must be an octal file mode such as 660 (got \"\(self.unixSocketMode)\")")
        }
        guard mode_t(self.jsonSocketMode, radix: 8) != nil else {
            throw ValidationError("--json.unixsocket-mode must be an octal file mode such as 660 (got \"\(self.jsonSocketMode)\")")
        }
        guard self.jsonMaxLineBytes > 0 else { throw ValidationError("--json.max-line-bytes must be positive") }
        guard self.jsonMaxConnections > 0 else { throw ValidationError("--json.max-connections must be positive") }
        if let readBuffer, readBuffer <= 0 {
            throw ValidationError("--statsd.read-buffer must be a positive number of bytes")
        }
        if let relayAddress, !relayAddress.isEmpty {
            guard (try? ListenAddress(parsing: relayAddress)) != nil else {
                throw ValidationError("--statsd.relay.address must be host:port (got \"\(relayAddress)\")")
            }
        }
        guard (2...65507).contains(self.relayPacketLength) else {
            throw ValidationError("--statsd.relay.packet-length must be between 2 and 65507")
        }
        guard self.relayQueueBytes >= 1024 else { throw ValidationError("--statsd.relay.queue-bytes must be at least 1024") }
        guard self.unmappedNamesLimit >= 0 else { throw ValidationError("--mapping.unmapped-names-limit must not be negative") }
        for (flag, value) in [
            ("--web.idle-timeout", self.webIdleTimeout), ("--web.read-timeout", self.webReadTimeout),
            ("--web.shutdown-grace", self.webShutdownGrace),
        ] {
            guard let seconds = GoDuration.parseSeconds(value), seconds >= 0 else {
                throw ValidationError("\(flag) must be a duration such as 30s or 500ms (got \"\(value)\")")
            }
        }
        guard let interval = GoDuration.parseSeconds(self.snapshotInterval), interval > 0 else {
            throw ValidationError("--storage.snapshot-interval must be a positive duration such as 5s (got \"\(self.snapshotInterval)\")")
        }
        guard self.webMaxHeaderBytes >= 1024 else { throw ValidationError("--web.max-header-bytes must be at least 1024") }
        guard self.statsdMaxLineBytes > 0 else { throw ValidationError("--statsd.max-line-bytes must be positive") }
        guard self.maxTCPConnections > 0 else { throw ValidationError("--statsd.max-tcp-connections must be positive") }
        guard self.maxLabels >= 0 else { throw ValidationError("--limits.max-labels must not be negative") }
        guard self.maxLabelValueBytes >= 0 else { throw ValidationError("--limits.max-label-value-bytes must not be negative") }
        guard self.maxSeries >= 0 else { throw ValidationError("--limits.max-series must not be negative") }
        guard self.maxSeriesPerMetric >= 0 else { throw ValidationError("--limits.max-series-per-metric must not be negative") }
        guard SeriesLimits.Overflow(rawValue: self.limitsOverflow) != nil else {
            throw ValidationError("--limits.overflow must be drop or fold (got \"\(self.limitsOverflow)\")")
        }
        guard (1...64).contains(self.udpReaders) else { throw ValidationError("--statsd.udp-readers must be between 1 and 64") }
        guard (1...64).contains(self.ingestThreads) else { throw ValidationError("--statsd.ingest-threads must be between 1 and 64") }
        guard self.setWindowSeconds > 0 else { throw ValidationError("--statsd.set-window must be positive") }
        for (flag, value) in [("--statsd.listen-udp", self.listenUDP), ("--statsd.listen-tcp", self.listenTCP)] {
            do { _ = try ListenAddress.parseOptional(value) } catch { throw ValidationError("\(flag): \(error.description)") }
        }
        do {
            guard try ListenAddress.parseOptional(self.webListenAddress) != nil else {
                throw ValidationError("--web.listen-address must not be empty")
            }
        } catch let error as ListenAddress.ParseError {
            throw ValidationError("--web.listen-address: \(error.description)")
        }
    }

    func run() async throws {
        let level = LineLogHandler.level(named: self.logLevel) ?? .info
        let format = LineLogHandler.Format(rawValue: self.logFormat) ?? .logfmt
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level, format: format) }
        let logger = Logger(label: "tributary")

        if self.checkConfig {
            try self.runCheckConfig()
            return
        }
        let configuration = try self.makeConfiguration()
        try await TributaryApplication(configuration: configuration, logger: logger).run()
    }

    /// `--check-config`: validates the mapping file and `--web.config.file`, each when given, exactly as start-up
    /// would load them (the web config's certificates, keys and client CA included); prints what was checked and
    /// exits 1 when either is invalid.
    private func runCheckConfig() throws {
        var valid = true
        let mappingPath = self.mappingConfig.flatMap { $0.isEmpty ? nil : $0 }
        let webPath = self.webConfigFile.flatMap { $0.isEmpty ? nil : $0 }
        if let path = mappingPath {
            do {
                let mapper = try MappingReloader.compile(path: path)
                print("Mapping config \(path) is valid: \(mapper.ruleCount) mapping rule(s).")
            } catch {
                Self.printError("Mapping config \(path) is invalid: \(error.reason)")
                valid = false
            }
        }
        if let path = webPath {
            do {
                let web = try WebConfig.loadChecked(path: path)
                print("Web config \(path) is valid: \(web.summary).")
                for warning in web.warnings { Self.printError("Web config \(path): warning: \(warning)") }
            } catch {
                Self.printError("Web config \(path) is invalid: \(error.message)")
                valid = false
            }
        }
        if mappingPath == nil && webPath == nil {
            print("No mapping config (--statsd.mapping-config) or web config (--web.config.file) given; nothing to check.")
        }
        if !valid { throw ExitCode(1) }
    }

    private static func printError(_ line: String) {
        ConsoleOutput.writeError(line + "\n")
    }

    func makeConfiguration() throws -> TributaryConfiguration {
        var statsd = StatsDListenerConfiguration(
            udp: try ListenAddress.parseOptional(self.listenUDP),
            tcp: try ListenAddress.parseOptional(self.listenTCP),
            unixgramPath: self.listenUnixgram.isEmpty ? nil : self.listenUnixgram,
            unixSocketMode: self.unixSocketMode,
            readBufferBytes: self.readBuffer,
            maxTCPLineBytes: self.statsdMaxLineBytes,
            udpReaders: self.udpReaders,
            maxTCPConnections: self.maxTCPConnections,
            ingestThreads: self.ingestThreads
        )
        statsd.relayAddress = self.relayAddress.flatMap { $0.isEmpty ? nil : $0 }
        statsd.relayPacketLength = self.relayPacketLength
        statsd.relayQueueBytes = self.relayQueueBytes
        let json = JSONFeedConfiguration(
            streamPath: self.jsonListenUnix.isEmpty ? nil : self.jsonListenUnix,
            datagramPath: self.jsonListenUnixgram.isEmpty ? nil : self.jsonListenUnixgram,
            socketMode: self.jsonSocketMode,
            group: self.jsonSocketGroup.flatMap { $0.isEmpty ? nil : $0 },
            maxLineBytes: self.jsonMaxLineBytes,
            maxConnections: self.jsonMaxConnections)
        var configuration = TributaryConfiguration(
            statsd: statsd,
            webListenAddress: try ListenAddress.parseOptional(self.webListenAddress) ?? ListenAddress(host: nil, port: 9102),
            telemetryPath: self.telemetryPath,
            enableLifecycle: self.enableLifecycle,
            mappingConfigPath: self.mappingConfig,
            aggregation: AggregationSettings(
                dialects: self.tagOptions.dialects, setWindowSeconds: self.setWindowSeconds,
                unmappedNamesLimit: self.unmappedNamesLimit, jsonFeedMapping: !self.jsonDisableMapping,
                limits: SeriesLimits(
                    maxSeries: self.maxSeries, maxSeriesPerMetric: self.maxSeriesPerMetric,
                    overflow: SeriesLimits.Overflow(rawValue: self.limitsOverflow) ?? .drop,
                    maxLabels: self.maxLabels, maxLabelValueBytes: self.maxLabelValueBytes),
                maxLineBytes: self.statsdMaxLineBytes),
            json: json
        )
        configuration.webConfigPath = self.webConfigFile.flatMap { $0.isEmpty ? nil : $0 }
        configuration.webIdleTimeoutSeconds = GoDuration.parseSeconds(self.webIdleTimeout) ?? 30
        configuration.webReadTimeoutSeconds = GoDuration.parseSeconds(self.webReadTimeout) ?? 10
        configuration.webMaxHeaderBytes = self.webMaxHeaderBytes
        configuration.shutdownGraceSeconds = GoDuration.parseSeconds(self.webShutdownGrace) ?? 0
        configuration.enableOpenMetrics = self.enableOpenMetrics
        configuration.dumpFSMPath = self.dumpFSM.flatMap { $0.isEmpty ? nil : $0 }
        configuration.storagePath = self.storagePath.isEmpty ? nil : self.storagePath
        configuration.snapshotIntervalSeconds = GoDuration.parseSeconds(self.snapshotInterval) ?? 5
        return configuration
    }
}
