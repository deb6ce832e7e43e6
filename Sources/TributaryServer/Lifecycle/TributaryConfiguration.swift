import TributaryCore

/// Everything the command line decides, in one value.
package struct TributaryConfiguration: Sendable {
    package var statsd: StatsDListenerConfiguration
    /// The JSON feed listeners (off unless a path is given).
    package var json: JSONFeedConfiguration
    package var webListenAddress: ListenAddress
    package var telemetryPath: String
    package var enableLifecycle: Bool
    /// `--web.enable-openmetrics`: serve OpenMetrics to scrapers that ask for it.
    package var enableOpenMetrics = false
    package var mappingConfigPath: String?
    package var aggregation: AggregationSettings
    /// How often TTL expiry runs, in seconds.
    package var expiryIntervalSeconds: Double
    /// `--web.config.file`: TLS and basic auth (exporter-toolkit format); nil serves plain, open HTTP.
    package var webConfigPath: String?
    /// `--web.idle-timeout`, seconds; 0 disables.
    package var webIdleTimeoutSeconds: Double = 30
    /// `--web.read-timeout`, seconds; 0 disables.
    package var webReadTimeoutSeconds: Double = 10
    /// `--web.max-header-bytes`: longest HTTP request head (request target and headers); longer ones get 431.
    package var webMaxHeaderBytes = MetricsHTTPServer.defaultMaxHeaderBytes
    /// `--web.shutdown-grace`, seconds HTTP keeps answering after the listeners stopped on SIGTERM.
    package var shutdownGraceSeconds: Double = 0
    /// `--debug.dump-fsm`: write the glob matcher as a Graphviz dot file here at start and on every reload.
    package var dumpFSMPath: String?
    /// `--storage.path`: the directory of the snapshot that carries series state over a restart; nil keeps none.
    package var storagePath: String?
    /// `--storage.snapshot-interval`, seconds between snapshots (one more is written on graceful shutdown).
    package var snapshotIntervalSeconds: Double = 5

    package init(
        statsd: StatsDListenerConfiguration, webListenAddress: ListenAddress, telemetryPath: String = "/metrics",
        enableLifecycle: Bool = false, mappingConfigPath: String? = nil, aggregation: AggregationSettings = AggregationSettings(),
        expiryIntervalSeconds: Double = 1, json: JSONFeedConfiguration = JSONFeedConfiguration()
    ) {
        self.statsd = statsd
        self.json = json
        self.webListenAddress = webListenAddress
        self.telemetryPath = telemetryPath
        self.enableLifecycle = enableLifecycle
        self.mappingConfigPath = mappingConfigPath
        self.aggregation = aggregation
        self.expiryIntervalSeconds = expiryIntervalSeconds
    }
}
